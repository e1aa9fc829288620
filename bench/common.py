"""What the benchmarks share: the province-sized seed, report generation, rows of the table.

The seed: Hà Tĩnh as of 2025-07 from `tools/make_demo_config.py` (12 health regions, 69
communes, ~790 generated villages), one collaborator per village, a supervisor, 25 commune
groups bound to their commune, and 100,000 reports over the last twelve months, all written
through the store API (`open_store` → `reports.add`). It is made once per run in a temporary
folder; a measure that runs the bot works on a copy, so every measure sees the same data.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))

import yaml  # noqa: E402
from make_demo_config import tree_2025_07  # noqa: E402

from bot.core.models import Account, GroupBinding, Report, Role, RoleGrant  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.support.harness import TG_TOKEN  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REPORTS = 100_000
GROUPS = 25  # commune groups bound in the seed, two collaborators typing in each
NO_LIMITS = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}
# The per-person intake limit (30 a minute) off too: the load is 50 people typing flat out.
NO_INTAKE_LIMIT = {
    "per_person_per_minute": 1e9,
    "burst": 1_000_000,
    "max_waiting_per_chat": 1_000_000,
}
SUPERVISOR_ID = 800_001
COLLABORATOR_BASE = 700_000  # telegram user id of the collaborator of village i: base + i
GROUP_BASE = -1_002_000_000_000  # supergroup ids


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    anchor: str
    ours: str
    ratio: str
    verdict: str  # "pass", "miss" or "info"


@dataclass
class Outcome:
    """What one benchmark module reports: table rows and a paragraph of details."""

    rows: list[Row]
    details: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def pct(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank, of samples (any unit)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def p50(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


# --- the province ------------------------------------------------------------------------------


def province_tree() -> dict[str, Any]:
    """Hà Tĩnh today: province → 12 health regions → 69 communes → ~790 villages."""
    return tree_2025_07()


def communes_of(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for region in tree["children"] for c in region["children"]]


def villages_of(tree: dict[str, Any]) -> list[str]:
    return [v["code"] for c in communes_of(tree) for v in c["children"]]


def biggest_region(tree: dict[str, Any]) -> dict[str, Any]:
    """The health region (the former district) with the most villages: the digest's area."""
    return max(tree["children"], key=lambda r: sum(len(c["children"]) for c in r["children"]))


# --- reports -----------------------------------------------------------------------------------


def _month_key(moment: datetime) -> str:
    return f"{moment.astimezone(TZ):%Y-%m}"


def _month_back(now: datetime, back: int) -> tuple[datetime, datetime]:
    """The first moment of the local month `back` months before now's, and its end (≤ now)."""
    local = now.astimezone(TZ)
    year, month = local.year, local.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    start = datetime(year, month, 1, tzinfo=TZ)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=TZ)
    return start.astimezone(UTC), min(nxt.astimezone(UTC), now)


class ReportMaker:
    """The n-th report of a year of field work, the same for the same n (any process, run).

    Out of 20: 1 pregnancy summary (`thaisan`, one per village and month), 1 daily situation
    note (`tinhhinh`, the last days), 5 family-planning events (`kehoach`) and 13 population
    events (`danso`), spread over the last twelve months up to `now`. Up to ~190k every report
    has its own id (a summary past that is a new version of an older one).
    """

    def __init__(
        self, villages: list[str], now: datetime, reporters: dict[str, int] | None = None
    ) -> None:
        self.villages = villages
        self.now = now
        self.reporters = reporters or {}

    def _reporter(self, village: str, index: int) -> int:
        return self.reporters.get(village, 1 + index)

    def __call__(self, n: int) -> Report:
        kind = n % 20
        nv = len(self.villages)
        if kind == 0:
            k = n // 20
            vi = k % nv
            start, end = _month_back(self.now, (k // nv) % 12)
            rng = random.Random(n)
            at = start + (end - start) * rng.random()
            village = self.villages[vi]
            return Report(
                id=f"thaisan:{village}:{_month_key(start)}", type="thaisan", area=village,
                period=_month_key(start), version=k // (nv * 12) + 1,
                values={"co_thai": rng.randint(0, 30), "sang_loc_truoc_sinh": rng.randint(0, 9),
                        "sang_loc_so_sinh": rng.randint(0, 5)},
                reporter=self._reporter(village, vi), platform="telegram", received_at=at,
                source_message=f"telegram::{GROUP_BASE - vi}:{n}",
            )  # fmt: skip
        if kind == 5:
            k = n // 20
            vi = k % nv
            day = (self.now - timedelta(days=(k // nv) % 365)).astimezone(TZ)
            village = self.villages[vi]
            return Report(
                id=f"tinhhinh:{village}:{day:%Y-%m-%d}", type="tinhhinh", area=village,
                period=f"{day:%Y-%m-%d}", version=k // (nv * 365) + 1,
                values={"ghi_chu": "Tình hình ổn định, không có dịch bệnh",
                        "muc_do": "bình thường", "can_ho_tro": False},
                reporter=self._reporter(village, vi), platform="zalo",
                received_at=day.astimezone(UTC), source_message=f"zalo:zalo1:{vi}:{n}",
            )  # fmt: skip
        rng = random.Random(n)
        vi = rng.randrange(nv)
        village = self.villages[vi]
        at = self.now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        period = _month_key(at)
        if kind in (3, 7, 11, 15, 19):
            code = "kehoach"
            names = ("dat_vong", "thuoc_uong", "bao_cao_su", "thuoc_tiem", "que_cay")
            values = {name: rng.randint(0, 3) for name in rng.sample(names, 2)}
        else:
            code = "danso"
            boys, girls = rng.choice((0, 0, 1, 1, 2)), rng.choice((0, 0, 1, 1))
            values = {
                "sinh": boys + girls, "sinh_nam": boys, "sinh_nu": girls,
                "chet": rng.choice((0, 0, 0, 1)), "chuyen_den": rng.randint(0, 2),
            }  # fmt: skip
        return Report(
            id=f"{code}:{village}:{period}:{n:08x}", type=code, area=village, period=period,
            values=values, reporter=self._reporter(village, vi),
            platform="telegram" if n % 3 else "zalo", received_at=at,
            source_message=f"telegram::{GROUP_BASE - vi}:{n}",
        )  # fmt: skip


def write_reports(store: Any, make: ReportMaker, first: int, last: int) -> None:
    """Reports first..last-1 through the store API, a thousand per commit (as fast as allowed)."""
    for start in range(first, last, 1000):
        with store.atomic():
            for n in range(start, min(start + 1000, last)):
                store.reports.add(make(n))


# --- the shared seed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    village: str


@dataclass(frozen=True)
class Group:
    chat_id: int
    commune: str
    title: str
    members: tuple[Member, ...]


@dataclass
class Seed:
    """The seeded data directory and what the measures need to know about it."""

    root: Path
    data_dir: Path
    tree: dict[str, Any]
    villages: list[str]
    groups: list[Group]
    region: dict[str, Any]
    now: datetime
    reports: int
    seconds: float
    size_mb: float

    def maker(self) -> ReportMaker:
        reporters = {v: i + 2 for i, v in enumerate(self.villages)}  # person 1: the supervisor
        return ReportMaker(self.villages, self.now, reporters)

    def copy_data(self, dest: Path) -> Path:
        """A private copy of the seeded data directory (the bot's writes stay in the copy)."""
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.data_dir, dest, ignore=shutil.ignore_patterns("store.lock"))
        return dest

    def config(
        self,
        folder: Path,
        *,
        data_dir: Path,
        telegram_url: str,
        delivery: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Path:
        """A config for `python -m bot run` on the fake Telegram: the shipped report types and
        settings, this tree, INFO logs (as shipped), no Zalo."""
        shipped = yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))
        doc = {
            **shipped,
            "data_dir": str(data_dir),
            "web": {"host": "127.0.0.1", "port": 0, "public_base_url": None},
            "areas": self.tree,
            "admins": [f"telegram:{SUPERVISOR_ID}"],
            "platforms": {
                "telegram": {"enabled": True, "mode": "polling", "api_base_url": telegram_url},
                "zalo": {"enabled": False, "bots": []},
            },
            "logging": {"level": "INFO", "format": "json"},
        }
        if delivery is not None:
            doc["delivery"] = delivery
        doc.update(extra or {})
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        return path


def seed_groups(tree: dict[str, Any], villages: list[str]) -> list[Group]:
    """The 25 bound commune groups of the seed, two collaborators typing in each."""
    groups = []
    for i, commune in enumerate(communes_of(tree)[:GROUPS]):
        members = tuple(
            Member(COLLABORATOR_BASE + villages.index(v["code"]), f"CTV {v['name']}", v["code"])
            for v in commune["children"][:2]
        )
        groups.append(Group(GROUP_BASE - i, commune["code"], f"Y tế {commune['name']}", members))
    return groups


def seed_people(
    store: Any, tree: dict[str, Any], villages: list[str], groups: list[Group], now: datetime
) -> None:
    """The supervisor (person 1), one collaborator per village (person i + 2) and the bound
    groups, in one atomic block, through the store API (any backend)."""
    with store.atomic():
        store.people.add(
            name="Giám sát tỉnh",
            accounts=(Account(f"telegram:{SUPERVISOR_ID}", "Giám sát tỉnh", reachable=True),),
            roles=(RoleGrant(Role.SUPERVISOR, tree["code"], "seed", now),),
            created_at=now,
        )
        for i, village in enumerate(villages):
            person = store.people.add(
                name=f"CTV {village}",
                accounts=(
                    Account(
                        f"telegram:{COLLABORATOR_BASE + i}",
                        f"CTV {village}",
                        reachable=i % 5 != 0,
                    ),
                ),
                roles=(RoleGrant(Role.COLLABORATOR, village, "seed", now),),
                created_at=now,
            )
            assert person.id == i + 2
            # Working collaborators have agreed to the privacy notice (its version 1).
            store.people.save(replace(person, consent_at=now, consent_version=1))
        for g in groups:
            store.groups.save(
                GroupBinding(f"telegram::{g.chat_id}", g.commune, g.title, bound_at=now)
            )


def make_seed(root: Path, *, reports: int = REPORTS, now: datetime | None = None) -> Seed:
    """People, groups and `reports` reports in root/seed, written through the store API; the
    year of reports ends at `now` (default: this moment)."""
    started = time.perf_counter()
    tree = province_tree()
    villages = villages_of(tree)
    now = now or datetime.now(UTC)
    data_dir = root / "seed"
    groups = seed_groups(tree, villages)
    store = open_store(data_dir, fsync="never", checkpoint_bytes=256 << 20)
    try:
        seed_people(store, tree, villages, groups, now)
        seed = Seed(root, data_dir, tree, villages, groups, biggest_region(tree), now, reports,
                    0.0, 0.0)  # fmt: skip
        write_reports(store, seed.maker(), 0, reports)
        count = store.reports.count()
    finally:
        store.close()
    seed.seconds = time.perf_counter() - started
    seed.size_mb = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 2**20
    # Past ~190k reports some are new versions of earlier ones (ReportMaker): fewer ids.
    assert count == reports or (reports > 150_000 and count < reports), (count, reports)
    return seed


# --- processes and the machine -----------------------------------------------------------------


def bot_env() -> dict[str, str]:
    """The environment of a bot subprocess: the fake's token, nothing else of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return {**env, "TELEGRAM_BOT_TOKEN": TG_TOKEN, "PYTHONUNBUFFERED": "1"}


def rss_mb(pid: int) -> float:
    """VmRSS of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after 10 s: the bot stops cleanly on SIGTERM."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "arch": platform.machine(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": sys.version.split()[0],
        "kernel": platform.release(),
    }


class Context:
    """One run: a temporary folder and the seed, made the first time a measure asks for it."""

    def __init__(self, tmp: Path, *, reports: int = REPORTS, quick: bool = False) -> None:
        self.tmp = tmp
        self.reports = reports
        self.quick = quick  # fewer samples: for trying the benchmarks, not for figures
        self._seed: Seed | None = None

    @property
    def seed(self) -> Seed:
        if self._seed is None:
            print(f"seeding {self.reports:,} reports…", file=sys.stderr, flush=True)
            self._seed = make_seed(self.tmp, reports=self.reports)
            print(
                f"seeded in {self._seed.seconds:.1f} s ({self._seed.size_mb:.0f} MB)",
                file=sys.stderr,
                flush=True,
            )
        return self._seed
