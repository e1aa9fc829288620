"""How `/daduyet` reads a village and a period, table-driven over a memory store: villages whose
names hold period words (Thắng, Quý), a period at the end, none (the current one, or the one
that just ended when the current has nothing yet), and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config.loading import load_config
from bot.core.actor import Actor
from bot.core.areas import AreaTree
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.messages import ChatKind, ChatRef, Incoming, UserRef
from bot.core.models import Person, Report, Role, RoleGrant
from bot.features.audit.log import AuditLog
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes
from bot.features.review.checks import PeriodChecks
from bot.store import open_store

ROOT = Path(__file__).resolve().parents[3]
_shipped = load_config(ROOT / "config.yaml", environ={})
TYPES = ReportTypes.from_config(_shipped.report_types, default=_shipped.default_report_type)
TREE = AreaTree.from_config({
    "code": "P", "name": "Tỉnh", "kind": "province", "children": [
        {"code": "C", "name": "Xã Quý Lộc", "kind": "commune", "children": [
            {"code": "C-01", "name": "Thôn Thắng Lợi", "kind": "village"},
            {"code": "C-02", "name": "Thôn Quý Lộc", "kind": "village"},
            {"code": "C-03", "name": "Thôn Sơn Ninh", "kind": "village"},
        ]},
        {"code": "D", "name": "Xã Khác", "kind": "commune", "children": [
            {"code": "D-01", "name": "Thôn Khác", "kind": "village"},
        ]},
    ],
})  # fmt: skip
NOW = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # early November in Vietnam
OFFICER = Person(7, "Cán bộ Lan", roles=(RoleGrant(Role.OFFICER, "C"),))
ACTOR = Actor(UserRef("telegram", "", "70"), "Cán bộ Lan", OFFICER, OFFICER.roles)
CHAT = ChatRef("telegram", "", "70", ChatKind.PRIVATE)


def _checks() -> PeriodChecks:
    store = open_store(Path("."), backend="memory")
    clock = ManualClock(NOW)
    reports = Reports(store=store, areas=TREE, types=TYPES, clock=clock,
                      tz=ZoneInfo("Asia/Ho_Chi_Minh"))  # fmt: skip
    # Thắng Lợi reported in October and November; Quý Lộc in October only; Sơn Ninh never.
    for n, (area, period) in enumerate(
        [("C-01", "2026-10"), ("C-01", "2026-11"), ("C-02", "2026-10")], start=1
    ):
        store.reports.add(Report(f"danso:{area}:{period}:{n}", "danso", area, period,
                                 {"sinh": 1}, 3, "zalo", NOW))  # fmt: skip
    return PeriodChecks(reports=reports, audit=AuditLog(store=store, clock=clock))


def _typed(text: str) -> Incoming:
    return Incoming("u1", "message", CHAT, ACTOR.user, "Cán bộ Lan", f"/daduyet {text}", NOW)


@pytest.mark.parametrize(
    ("text", "village", "period"),
    [
        ("thon thang loi", "C-01", "2026-11"),
        ("Thôn Thắng Lợi tháng 10", "C-01", "2026-10"),
        ("thon thang loi t10", "C-01", "2026-10"),
        ("Thôn Thắng Lợi 10/2026", "C-01", "2026-10"),
        ("thon quy loc", "C-02", "2026-10"),  # November has nothing yet: October, just ended
        ("Thôn Quý Lộc tháng 10", "C-02", "2026-10"),
    ],
)
def test_the_village_and_the_period_read(text: str, village: str, period: str) -> None:
    """A village's own name never reads as a period; a period at the end is the one meant."""
    done = _checks().mark(ACTOR, _typed(text), text)
    assert (done.check.area, done.check.period, done.check.officer) == (village, period, 7)


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        ("thon son ninh", "review.check_empty", "/daduyet Thôn Sơn Ninh tháng 11/2026"),
        ("Thôn Quý Lộc tháng 11", "review.check_empty", "/daduyet Thôn Quý Lộc tháng 10/2026"),
        ("thon thang loi thang 13", "review.check_usage", "/daduyet Thôn Thắng Lợi tháng"),
        ("", "review.check_usage", "/daduyet Thôn Thắng Lợi tháng 11/2026"),
        ("thon khac", "review.check_not_yours", ""),
        ("thon khong co", "area.not_found", ""),
    ],
)
def test_what_cannot_be_checked_is_refused_with_the_form(text: str, key: str, shown: str) -> None:
    """An empty period names one that has reports; an unread period shows the form."""
    with pytest.raises(UserError) as refused:
        _checks().mark(ACTOR, _typed(text), text)
    assert refused.value.key == key
    assert shown in str(refused.value.params.get("example", ""))
