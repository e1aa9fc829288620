"""The 2025 Hà Tĩnh merger applied to a store with reports in old communes.

A store written under the old tree (province → districts → communes) holds reports, people,
groups, a reminder and a directive in 21 old communes (and a few villages); the config then
switches to the new tree (province → communes). check-config names what is orphaned; `areas
migrate` with the reform's JSON (and the old tree, for names) moves everything: every report
still counts under its new commune (export and digest totals) and keeps its old code and name;
a wrong name, two mappings that disagree or a running bot refuse, writing nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.cli.areas import run_migrate
from bot.cli.check_config import check_config
from bot.config.loading import load_config
from bot.core.areas import AreaTree
from bot.core.models import (
    Directive,
    GroupBinding,
    Reminder,
    ReminderKind,
    Report,
    Role,
    RoleGrant,
)
from bot.features.digest.data import DigestBuilder
from bot.features.export.rows import export_rows, to_csv
from bot.features.reports.types import ReportTypes
from bot.store import open_store

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
OLD_FILE, NEW_FILE = DATA / "ha-tinh-2025-03.json", DATA / "ha-tinh-2025-07.json"
OLD, NEW = json.loads(OLD_FILE.read_text()), json.loads(NEW_FILE.read_text())
OLD_NAME = {c["code"]: c["name"] for d in OLD["children"] for c in d.get("children", [])}
OLD_CODE = {name: code for code, name in OLD_NAME.items()}
# Four new communes formed from 21 old ones (leaving out Đại Nài, split between two).
CHOSEN = ("18073", "18100", "18115", "18133")
SPLIT = {"Phường Đại Nài", "Xã Kỳ Lợi"}
FORMED = {c["code"]: c["formed_from"] for c in NEW["children"] if c["code"] in CHOSEN}
TARGET = {OLD_CODE[n]: new for new, names in FORMED.items() for n in names if n not in SPLIT}
REPORT_TYPES = [
    {
        "code": "kham",
        "name": {"vi": "Khám thai", "en": "Antenatal visits"},
        "mode": "period",
        "period": "month",
        "fields": [
            {"code": "luot", "name": {"vi": "Lượt khám", "en": "Visits"}},
            {"code": "nguy_co", "name": {"vi": "Nguy cơ", "en": "At risk"}},
        ],
    }
]


# Villages under three old wards; under the new tree two keep their codes (under Thành Sen, not
# their old wards), the third is renumbered (a village-level CSV line moves its reports).
OLD_VILLAGES = {
    "18077": [("18077-01", "Tổ dân phố 1")],
    "18079": [("18079-01", "Tổ dân phố 2")],
    "18094": [("18094-01", "Tổ dân phố Trần Phú 1")],
}
NEW_VILLAGES = {"18073": [(c, n) for v in OLD_VILLAGES.values() for c, n in v]}
NEW_VILLAGES["18073"][2] = ("18073-09", "Tổ dân phố Trần Phú 1")
VILLAGE_VALUES = {"18077-01": 10, "18079-01": 20, "18094-01": 30}


def _node(
    node: dict[str, Any], kinds: tuple[str, ...], villages: dict[str, list[tuple[str, str]]]
) -> dict[str, Any]:
    out = {"code": node["code"], "name": node["name"], "kind": kinds[0]}
    below = [_node(c, kinds[1:], villages) for c in node.get("children", ())]
    below += [{"code": c, "name": n, "kind": "village"} for c, n in villages.get(node["code"], ())]
    if below:
        out["children"] = below
    return out


def _config(path: Path, tree: dict[str, Any], data: Path) -> Path:
    doc = {
        "timezone": "Asia/Ho_Chi_Minh",
        "data_dir": str(data),
        "areas": tree,
        "admins": ["telegram:1001"],
        "platforms": {"telegram": {"enabled": False}, "zalo": {"enabled": False}},
        "report_types": REPORT_TYPES,
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _report(code: str, period: str, version: int, value: int) -> Report:
    return Report(
        f"kham:{code}:{period}", "kham", code, period, {"luot": value, "nguy_co": 1}, 2,
        "telegram", _at(f"{period}-20"), version=version, area_name=OLD_NAME[code],
    )  # fmt: skip


def _fill(data: Path) -> None:
    """The store as the bot left it under the old tree."""
    store = open_store(data)
    try:
        with store.atomic():
            for n, code in enumerate(sorted(TARGET), 1):
                store.reports.add(_report(code, "2025-05", 1, n))
                store.reports.add(_report(code, "2025-06", 1, 100))
                store.reports.add(_report(code, "2025-06", 2, n))  # the correction counts
            nam_ha, bac_ha = OLD_CODE["Phường Nam Hà"], OLD_CODE["Phường Bắc Hà"]
            thach_trung, tan_giang = OLD_CODE["Phường Thạch Trung"], OLD_CODE["Phường Tân Giang"]
            since = _at("2025-01-01")
            officer = (
                RoleGrant(Role.OFFICER, bac_ha, granted_by="admin:1"),
                RoleGrant(Role.OFFICER, tan_giang, granted_by="admin:2"),
            )
            store.people.add(name="Officer", created_at=since, roles=officer)
            reporter = (RoleGrant(Role.COLLABORATOR, thach_trung),)
            store.people.add(name="Reporter", created_at=since, roles=reporter)
            store.people.add(
                name="Chief", created_at=since, roles=(RoleGrant(Role.SUPERVISOR, "42"),)
            )
            for n, code in enumerate((nam_ha, bac_ha, thach_trung)):
                store.groups.save(GroupBinding(f"telegram:main:-10{n}", code, f"Nhóm {n}"))
            monthly = Reminder(
                0, ReminderKind.MONTHLY, "08:00", "Nộp báo cáo", areas=(bac_ha, thach_trung),
                day_of_month=20,
            )  # fmt: skip
            store.reminders.add(monthly)
            store.directives.save(Directive(1, 1, (bac_ha,), "Họp", _at("2025-06-01")))
    finally:
        store.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The store under the old tree (kept pristine: each test works on a copy)."""
    base = tmp_path_factory.mktemp("reform")
    _fill(base / "data")
    return {"base": base, "data": base / "data"}


@pytest.fixture
def setup(world: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    shutil.copytree(world["data"], data)
    new = {**NEW, "children": [{"code": c["code"], "name": c["name"]} for c in NEW["children"]]}
    new_tree = _node(new, ("province", "commune"), NEW_VILLAGES)
    return {
        "data": data,
        "old": _config(
            tmp_path / "old.yaml",
            _node(OLD, ("province", "district", "commune"), OLD_VILLAGES),
            data,
        ),
        "new": _config(tmp_path / "new.yaml", new_tree, data),
    }


def _migrate(
    s: dict[str, Path], *args: str, mapping: tuple[Path, ...] = (NEW_FILE,)
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "areas", "migrate", *map(str, mapping),
         "--config", str(s["new"]), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _files(data: Path) -> dict[str, bytes]:
    """Every stored file's bytes, but the locks (they hold the last opener's process id)."""
    return {str(p): p.read_bytes() for p in data.rglob("*") if p.is_file() and p.suffix != ".lock"}


def _areas_of_reports(data: Path) -> Counter[str]:
    store = open_store(data)
    try:
        found = Counter()
        for period in ("2025-05", "2025-06"):
            found.update(r.area for r in store.reports.in_period("kham", period))
        return found
    finally:
        store.close()


def test_check_config_names_what_points_at_areas_gone_from_the_tree(
    setup: dict[str, Path],
) -> None:
    code, text = check_config(str(setup["old"]), environ={})
    assert code == 0 and "every area it names is in the tree" in text, text
    code, text = check_config(str(setup["new"]), environ={})
    assert code == 1, text
    gone = len(set(TARGET) - set(CHOSEN))  # the four new communes keep an old commune's code
    assert (
        f"2 people, 2 groups, {gone * 2} reports, 1 directive, 1 reminder point at {gone} areas"
        in text
    )
    assert f"{OLD_CODE['Phường Bắc Hà']} Phường Bắc Hà" in text
    assert "areas migrate" in text
    held = open_store(setup["data"])  # a running bot locks the data: only the file is checked
    try:
        code, text = check_config(str(setup["new"]), environ={})
    finally:
        held.close()
    assert code == 0 and "is in use (the bot is running), so only the file was checked" in text


def test_dry_run_and_refusals_write_nothing(setup: dict[str, Path], tmp_path: Path) -> None:
    before, files = _areas_of_reports(setup["data"]), _files(setup["data"])
    dry = _migrate(setup, "--old-tree", str(OLD_FILE), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would move:" in dry.stdout and "Dry run: nothing was written." in dry.stdout
    assert "18073 Phường Thành Sen ← " in dry.stdout and "Phường Bắc Hà" in dry.stdout
    # Without the old tree, the names the reports were sent under are enough.
    plain = _migrate(setup, "--dry-run")
    assert plain.returncode == 0 and "match no area the store has" in plain.stdout, plain
    assert plain.stdout.split("Would move:")[1] == dry.stdout.split("Would move:")[1]
    # A misspelt old name: refused, listed, nothing written.
    wrong = json.loads(NEW_FILE.read_text())
    wrong["children"][0]["formed_from"][1] = "Phường Bắc Hàa"
    wrong_file = tmp_path / "wrong.json"
    wrong_file.write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    bad = _migrate(setup, "--old-tree", str(OLD_FILE), mapping=(wrong_file,))
    assert (
        bad.returncode == 1
        and "'Phường Bắc Hàa'" in bad.stderr
        and "nothing was written" in bad.stderr
    )
    # Two mappings that disagree (a CSV beside the JSON, for villages say): refused.
    other = tmp_path / "villages.csv"
    other.write_text("old_code,new_code\n18077,18100\n", encoding="utf-8")
    clash = _migrate(setup, "--old-tree", str(OLD_FILE), mapping=(NEW_FILE, other))
    assert clash.returncode == 1 and "18077 goes to 18073 and to 18100" in clash.stderr
    # While the bot runs (the data directory is locked): exit 3.
    held = open_store(setup["data"])
    try:
        assert (
            run_migrate(
                mapping_files=[NEW_FILE],
                old_tree=OLD_FILE,
                config_path=str(setup["new"]),
                environ={},
            )
            == 3
        )
    finally:
        held.close()
    assert _areas_of_reports(setup["data"]) == before
    assert _files(setup["data"]) == files
    assert check_config(str(setup["new"]), environ={})[0] == 1


def _village_reports(data: Path) -> None:
    store = open_store(data)
    try:
        for code, value in VILLAGE_VALUES.items():
            name = next(n for v in OLD_VILLAGES.values() for c, n in v if c == code)
            store.reports.add(Report(
                f"kham:{code}:2025-06", "kham", code, "2025-06", {"luot": value}, 2, "zalo",
                _at("2025-06-21"), area_name=name,
            ))  # fmt: skip
    finally:
        store.close()


def test_migrate_moves_everything_and_every_report_still_counts(
    setup: dict[str, Path], tmp_path: Path
) -> None:
    _village_reports(setup["data"])
    villages = tmp_path / "villages.csv"
    villages.write_text("old_code,new_code\n18094-01,18073-09\n", encoding="utf-8")
    refused = _migrate(setup, "--old-tree", str(OLD_FILE))  # the renumbered village is left
    assert refused.returncode == 1 and "18094-01 Tổ dân phố Trần Phú 1 is not in" in refused.stderr
    done = _migrate(setup, "--old-tree", str(OLD_FILE), mapping=(NEW_FILE, villages))
    assert done.returncode == 0, done.stderr
    assert "Moved:" in done.stdout and "reports" in done.stdout
    code, text = check_config(str(setup["new"]), environ={})
    assert code == 0 and "every area it names is in the tree" in text, text

    config = load_config(setup["new"], environ={})
    tree = AreaTree.from_config(config.areas)
    types = ReportTypes.from_config(config.report_types, default=None)
    store = open_store(setup["data"])
    try:
        assert store.reports.count() == 2 * len(TARGET) + len(VILLAGE_VALUES)
        for period in ("2025-05", "2025-06"):
            rows = export_rows(store.reports, types=types, areas=tree, period=period, people=str)
            totals: Counter[str] = Counter()
            for row in rows:
                totals[row.area_code] += row.values["luot"]
            expected: Counter[str] = Counter()
            for n, old in enumerate(sorted(TARGET), 1):
                expected[TARGET[old]] += n
            if period == "2025-06":
                expected.update({"18077-01": 10, "18079-01": 20, "18073-09": 30})
            assert totals == expected  # two reports on one commune and period: both kept
        # The digest of Thành Sen counts its villages, wherever they were before, and the
        # reports of the old communes now on its own code.
        builder = DigestBuilder(store=store, areas=tree, tz=ZoneInfo("Asia/Ho_Chi_Minh"))
        kham = types.get("kham")
        digest = builder.build("18073", date(2025, 6, 25), types=[kham], now=_at("2025-06-25"))
        ranks = [n for n, old in enumerate(sorted(TARGET), 1) if TARGET[old] == "18073"]
        assert [(t.field.code, t.current) for t in digest.types[0].totals] == [
            ("luot", 60 + sum(ranks)), ("nguy_co", len(ranks)),  # each old commune's nguy_co 1
        ]  # fmt: skip
        renumbered = store.reports.get("kham:18094-01:2025-06")
        assert (renumbered.area, renumbered.former_area) == ("18073-09", "18094-01")
        assert renumbered.area_name == "Tổ dân phố Trần Phú 1"
        moved = store.reports.versions(f"kham:{OLD_CODE['Phường Bắc Hà']}:2025-06")
        assert [(v.area, v.former_area, v.version) for v in moved] == [
            ("18073", OLD_CODE["Phường Bắc Hà"], 1),
            ("18073", OLD_CODE["Phường Bắc Hà"], 2),
        ]
        text = to_csv(rows, types=types, tz=ZoneInfo("Asia/Ho_Chi_Minh")).decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(text)))
        by_former = {r["former_area"]: r for r in table}
        row = by_former[OLD_CODE["Phường Thạch Trung"]]
        assert row["area_code"] == "18100" and row["area_name"] == "Phường Trần Phú"
        assert row["former_name"] == "Phường Thạch Trung"
        officer, reporter, chief = store.people.all()
        # Two grants that met in one new commune became one (the first).
        assert officer.roles == (RoleGrant(Role.OFFICER, "18073", granted_by="admin:1"),)
        assert reporter.roles == (RoleGrant(Role.COLLABORATOR, "18100"),)
        assert chief.roles == (RoleGrant(Role.SUPERVISOR, "42"),)
        assert sorted(g.area for g in store.groups.all()) == ["18073", "18073", "18100"]
        assert store.reminders.all()[0].areas == ("18073", "18100")
        assert store.directives.get(1).targets == ("18073",)
        (entry,) = [e for e in store.audit.recent(10) if e.action == "areas.migrate"]
        gone = len(set(TARGET) - set(CHOSEN))  # reports of the four kept codes stay as they are
        assert entry.detail["reports"] == gone * 2 + 1 and entry.detail["people"] == 2
    finally:
        store.close()
    again = _migrate(setup, "--old-tree", str(OLD_FILE), mapping=(NEW_FILE, villages))
    assert again.returncode == 1 and "applied already" in again.stderr
