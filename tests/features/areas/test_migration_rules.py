"""`areas migrate` edge cases on a small tree: reused codes, split and ambiguous names, CSV lines,
a mapping applied twice; and report types that gained or lost a field since reports were sent."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.config.reports import ReportTypeConfig
from bot.core.areas import AreaTree
from bot.core.models import Question, Report, Survey, SurveyAnswer
from bot.features.areas.mapping import read_mapping
from bot.features.areas.migration import AlreadyApplied, migrate
from bot.features.areas.usage import orphan_summary, scan
from bot.features.export.rows import export_rows, to_csv, to_xlsx
from bot.features.reports.service import Saved
from bot.features.reports.text import echo
from bot.features.reports.types import ReportTypes
from bot.store.memory import MemoryStore
from tests.features.digest.digest_fixture import TREE as DIGEST_TREE
from tests.features.digest.digest_fixture import TYPES as DIGEST_TYPES
from tests.features.digest.digest_fixture import digests, write_district

NOW = datetime(2025, 7, 2, tzinfo=UTC)
# After the change: A is gone; B lives on as the code of a new area; C is new.
TREE = AreaTree.from_config({
    "code": "P", "name": "Tỉnh", "kind": "province", "children": [
        {"code": "B", "name": "Xã Bình Mới", "kind": "commune"},
        {"code": "C", "name": "Xã Chung", "kind": "commune"},
    ],
})  # fmt: skip


def _report(area: str, value: int, *, version: int = 1, rid: str = "") -> Report:
    return Report(
        rid or f"kham:{area}:2025-06", "kham", area, "2025-06", {"luot": value}, 1, "telegram",
        NOW, version=version, area_name=f"Xã {area}",
    )  # fmt: skip


def test_a_reused_code_gives_moved_reports_an_id_of_their_own(tmp_path: Path) -> None:
    store = MemoryStore()
    store.reports.add(_report("A", 1))
    store.reports.add(_report("B", 2))
    store.reports.add(_report("B", 3, version=2))
    store.questions.add(Question(0, 1, "A", "Hỏi", NOW, "telegram:main:1", level="B"))
    store.surveys.save(Survey(1, 1, ("A", "B"), "Khảo sát?", ("Có", "Không"), NOW))
    store.survey_answers.put(SurveyAnswer(1, "person:1", 0, "A", NOW, "typed"))
    mapping = tmp_path / "map.csv"
    mapping.write_text("old_code,new_code\nA,B\nB,C\n", encoding="utf-8")
    parsed = read_mapping(mapping, tree=TREE, known={}, used={"A", "B"})
    assert parsed.problems == [] and parsed.moves == {"A": "B", "B": "C"}
    result = migrate(store, parsed.moves, tree=TREE, names={}, now=NOW)
    assert result.counts["reports"] == 2 and result.renamed == 1
    moved_a = store.reports.get("kham:A:2025-06")
    assert (moved_a.area, moved_a.former_area, moved_a.area_name) == ("B", "A", "Xã A")
    assert store.reports.get("kham:B:2025-06") is None  # free for the new B's own report
    old_b = store.reports.versions("kham:B:2025-06~C")
    assert [(v.area, v.former_area, v.version, v.values["luot"]) for v in old_b] == [
        ("C", "B", 1, 2), ("C", "B", 2, 3)
    ]  # fmt: skip
    store.reports.add(_report("B", 7))  # the new B reports for the same month: both count
    assert sorted(r.values["luot"] for r in store.reports.in_period("kham", "2025-06")) == [
        1,
        3,
        7,
    ]
    assert store.questions.get(1).area == "B" and store.questions.get(1).level == "C"
    assert store.surveys.get(1).targets == ("B", "C")
    assert store.survey_answers.get(1, "person:1").area == "B"
    with pytest.raises(AlreadyApplied):
        migrate(store, parsed.moves, tree=TREE, names={}, now=NOW)


def test_a_dry_run_counts_and_writes_nothing() -> None:
    store = MemoryStore()
    store.reports.add(_report("A", 1))
    result = migrate(store, {"A": "C"}, tree=TREE, names={}, now=NOW, dry_run=True)
    assert result.counts == {"reports": 1} and result.by_target == {"C": ["A"]}
    assert store.reports.get("kham:A:2025-06").area == "A"
    assert orphan_summary(scan(store).only({"A"}), {"A": "Xã A"}) == (
        "1 report points at 1 area that is not in the tree: A Xã A"
    )
    migrate(store, {"A": "C"}, tree=TREE, names={}, now=NOW)  # not recorded as applied


def _tree_file(tmp_path: Path, formed: dict[str, list[str]]) -> Path:
    children = [{"code": c, "name": f"Xã {c}", "formed_from": f} for c, f in formed.items()]
    path = tmp_path / "new.json"
    path.write_text(json.dumps({"code": "P", "name": "Tỉnh", "children": children}), "utf-8")
    return path


def test_names_that_split_repeat_or_are_unknown_are_problems(tmp_path: Path) -> None:
    known = {"A": "Xã An", "A2": "Xã Anh", "D": "Xã Đông", "E1": "Xã Yên", "E2": "Xã Yên"}
    path = _tree_file(tmp_path, {"B": ["Xã An", "Xã Anh"], "C": ["xã an", "Xã Đông", "Xã Zzz"]})
    got = read_mapping(path, tree=TREE, known=known, used={"A", "D"})
    assert got.moves == {"A2": "B", "D": "C"}
    assert len(got.problems) == 2
    assert "--choose A=B" in got.problems[0] or "--choose A=B" in got.problems[1]
    assert any("'Xã Zzz'" in p for p in got.problems)
    chosen = read_mapping(path, tree=TREE, known=known, used={"A"}, choose={"A": "C"})
    assert chosen.moves["A"] == "C"
    same_name = _tree_file(tmp_path, {"B": ["Xã Yên"]})
    problems = read_mapping(same_name, tree=TREE, known=known, used=set()).problems
    assert problems and "E1, E2" in problems[0]
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("A\nD,Z\n", encoding="utf-8")
    problems = read_mapping(bad_csv, tree=TREE, known={}, used=set()).problems
    assert problems[0].startswith("line 1: write old_code,new_code")
    assert "Z is not an area of the current config" in problems[1]


def _types(fields: list[str]) -> ReportTypes:
    config = ReportTypeConfig.model_validate({
        "code": "kham", "name": "Khám", "mode": "period", "period": "month",
        "fields": [{"code": f, "name": f.title()} for f in fields],
    })  # fmt: skip
    return ReportTypes.from_config([config])


def test_a_removed_field_keeps_its_column_and_an_added_one_is_empty() -> None:
    store = MemoryStore()
    store.reports.add(Report("kham:B:2025-06", "kham", "B", "2025-06", {"luot": 2, "cu": 5}, 1,
                             "telegram", NOW))  # fmt: skip
    types = _types(["luot", "moi"])  # `cu` was removed, `moi` added since
    rows = export_rows(store.reports, types=types, areas=TREE, period="2025-06", people=str)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    (row,) = csv.DictReader(io.StringIO(to_csv(rows, types=types, tz=tz).decode("utf-8-sig")))
    assert (row["luot"], row["moi"], row["cu"]) == ("2", "", "5")
    assert "former_area" not in row  # no report was moved
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, types=types, tz=tz))).active
    header = [c.value for c in sheet[1]]
    codes = [c.value for c in sheet[2]]
    assert "cu (trường đã bỏ)" in header and sheet[3][codes.index("cu")].value == 5
    assert sheet[3][codes.index("moi")].value is None


def test_the_digest_and_the_echo_pass_over_a_removed_field() -> None:
    """A stored value of a field no longer in config: the digest's totals leave it out, the
    echo (/cuatoi) shows it under its code instead of failing."""
    store = MemoryStore()
    write_district(store)
    day = date(2026, 11, 23)
    before = digests(store).build("D1", day).types[0].totals
    (report, *_) = store.reports.in_period("danso", "2026-11", areas=["C1-01"])
    versions = store.reports.versions(report.id)
    last = replace(versions[-1], values={**versions[-1].values, "da_bo": 9})
    store.reports.rewrite(report.id, [*versions[:-1], last])
    after = digests(store).build("D1", day).types[0].totals
    assert after == before and "da_bo" not in {t.field.code for t in after}
    # A private chat on a platform not running: no buttons under the echo.
    ctx = SimpleNamespace(
        lang="vi", t=lambda key, **_: key, is_group=False, capabilities=lambda: None
    )
    saved = Saved(last, DIGEST_TYPES.get("danso"), DIGEST_TREE.get("C1-01"))
    lines = echo(ctx, saved, "report.saved").text.splitlines()  # type: ignore[arg-type]
    assert "• da_bo: 9" in lines and any(line.startswith("• Sinh:") for line in lines)


def test_the_digest_counts_a_report_moved_onto_a_commune() -> None:
    """A report that sits on a commune code (old communes without villages, mapped onto a new
    commune) is in the district's totals, though no village's completeness counts it."""
    store = MemoryStore()
    write_district(store)
    day = date(2026, 11, 23)
    before = digests(store).build("D1", day).types[0]
    (report, *_) = store.reports.in_period("danso", "2026-11", areas=["C1-01"])
    moved = replace(
        store.reports.versions(report.id)[-1], id="moved-onto-C2", version=1, area="C2",
        former_area="OLD7", area_name="Xã Cũ",
    )  # fmt: skip
    store.reports.add(moved)
    after = digests(store).build("D1", day).types[0]
    sinh = {t.field.code: t.current for t in before.totals}["sinh"]
    assert {t.field.code: t.current for t in after.totals}["sinh"] == sinh + moved.values["sinh"]
    assert [(u.reported, u.expected) for u in after.units] == [
        (u.reported, u.expected) for u in before.units
    ]
