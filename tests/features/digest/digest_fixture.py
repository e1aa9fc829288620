"""A district for digest tests: people, two months of reports and directives, written by hand so
that every number of its digest can be worked out on paper (see test_digest.py)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.loading import load_config
from bot.config.models import DigestSection
from bot.core.areas import AreaTree
from bot.core.clock import ManualClock
from bot.core.i18n import Translator
from bot.core.models import Account, Acknowledgement, Person, Report, Role, RoleGrant
from bot.features.digest.service import Digests
from bot.features.digest.text import DigestText
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes
from bot.store.base import Store

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_shipped = load_config(ROOT / "config.yaml", environ={})
TYPES = ReportTypes.from_config(_shipped.report_types, default=_shipped.default_report_type)


def village(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": "village"}


# Province → two districts; D1 is the one the tests read. C3-02 has no active collaborator.
TREE = AreaTree.from_config({
    "code": "P", "name": "Tỉnh Hà Tĩnh", "kind": "province", "children": [
        {"code": "D1", "name": "Huyện Hồng Lĩnh", "kind": "district", "children": [
            {"code": "C1", "name": "Phường Bắc Hồng Lĩnh", "kind": "commune", "children": [
                village("C1-01", "Tổ dân phố 1"), village("C1-02", "Tổ dân phố 2"),
                village("C1-03", "Tổ dân phố 3"),
            ]},
            {"code": "C2", "name": "Xã Hương Sơn", "kind": "commune", "children": [
                village("C2-01", "Thôn Sơn Ninh"), village("C2-02", "Thôn Sơn Trung"),
            ]},
            {"code": "C3", "name": "Xã Đức Thọ", "kind": "commune", "children": [
                village("C3-01", "Thôn Yên Hồ"), village("C3-02", "Thôn Đức Lạng"),
            ]},
        ]},
        {"code": "D2", "name": "Huyện Kỳ Anh", "kind": "district", "children": [
            {"code": "C4", "name": "Xã Kỳ Hoa", "kind": "commune", "children": [
                village("C4-01", "Thôn Hoa Sơn"),
            ]},
        ]},
    ],
})  # fmt: skip

# (name, roles as (role, area), reachable, active)
PEOPLE: list[tuple[str, list[tuple[Role, str]], bool, bool]] = [
    ("Nguyễn Thị Lan", [(Role.COLLABORATOR, "C1-01")], True, True),  # 1
    ("Trần Thị Hoa", [(Role.COLLABORATOR, "C1-02")], False, True),  # 2
    ("Lê Văn Minh", [(Role.COLLABORATOR, "C1-03")], True, True),  # 3
    ("Phạm Văn Đức", [(Role.COLLABORATOR, "C2-01"), (Role.COLLABORATOR, "C2-02")], True, True),
    ("Hoàng Thị Tâm", [(Role.COLLABORATOR, "C3-01")], True, True),  # 5
    ("Võ Văn Cũ", [(Role.COLLABORATOR, "C3-02")], True, False),  # 6: left, so C3-02 is uncovered
    ("Đặng Thị Bình", [(Role.COLLABORATOR, "C4-01")], True, True),  # 7: the other district
    ("Giám sát Hùng", [(Role.SUPERVISOR, "D1")], True, True),  # 8
    ("Cán bộ Nga", [(Role.OFFICER, "C2")], True, True),  # 9
]
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Hà Tĩnh: the conftest clock


def at(text: str) -> datetime:
    """A UTC moment from "MM-DD HH:MM" in 2026."""
    return datetime.fromisoformat(f"2026-{text}").replace(tzinfo=UTC)


def rep(rid: str, values: dict[str, Any], when: str, *, person: int = 1, **more: Any) -> Report:
    """A report version; its village and period come from the id ("danso:C1-01:2026-11:a")."""
    type_, area, period = rid.split(":")[:3]
    return Report(rid, type_, area, period, values, person, "telegram", at(when), **more)


REPORTS = [
    # November, the period of a digest on 23/11.
    rep("danso:C1-01:2026-11:a", {"sinh": 2, "sinh_nam": 1, "sinh_nu": 1}, "11-05 02:00"),
    rep("danso:C1-01:2026-11:b", {"chet": 1}, "11-10 02:00"),
    rep("danso:C1-01:2026-11:b", {"chet": 2}, "11-11 02:00", version=2),  # corrected
    rep("danso:C1-02:2026-11:c", {"sinh": 1, "sinh_nu": 1}, "11-12 02:00", person=2),
    rep("danso:C1-02:2026-11:c", {"sinh": 1, "sinh_nu": 1}, "11-12 02:05", person=2,
        version=2, retracted=True),
    rep("danso:C2-01:2026-11:d", {"ket_hon": 1}, "11-21 02:00", person=4),
    rep("danso:C3-02:2026-11:e", {"chuyen_den": 3}, "11-15 02:00", person=9),  # no collaborator
    rep("danso:C4-01:2026-11:f", {"sinh": 5, "sinh_nam": 5}, "11-15 02:00", person=7),  # D2
    # October, the period before.
    rep("danso:C1-01:2026-10:h", {"sinh": 1, "sinh_nam": 1}, "10-05 02:00"),
    rep("danso:C1-03:2026-10:i", {"chet": 1}, "10-10 02:00", person=3),
    rep("danso:C1-03:2026-10:i", {"chet": 3}, "10-25 02:00", person=3, version=2),
    rep("danso:C2-01:2026-10:j", {"sinh": 2, "sinh_nu": 2}, "11-06 02:00", person=4, late=True),
    rep("danso:C2-02:2026-10:k", {"ket_hon": 1}, "10-08 02:00", person=4),
    rep("danso:C2-02:2026-10:k", {"ket_hon": 1}, "10-28 02:00", person=4, version=2,
        retracted=True),
    rep("danso:C3-01:2026-10:l", {"sinh": 1, "sinh_nam": 1}, "10-30 02:00", person=5),
    rep("danso:C1-02:2026-10:m", {"chet": 1}, "11-04 02:00", person=2, late=True),
]  # fmt: skip


def write_people(store: Store) -> list[Person]:
    people = []
    for index, (name, roles, reachable, active) in enumerate(PEOPLE, start=1):
        person = store.people.add(
            name=name,
            accounts=(Account(f"zalo:zalo1:u{index}", name, reachable=reachable),),
            roles=tuple(RoleGrant(role, area) for role, area in roles),
            created_at=at("09-01 00:00"),
        )
        if not active:
            store.people.save(replace(person, active=False))
        people.append(person)
    return people


def write_directives(store: Store) -> None:
    """1: open, to D1, 2 of 4 acknowledged; 2: to C2, overdue, 0 of 1; 3: to the province, one
    person inside D1, acknowledged after the cutoff; 4: to D2 only; 5: overdue long ago; 6: sent
    after the cutoff."""
    local = lambda text: datetime.fromisoformat(f"2026-{text}").replace(tzinfo=TZ)  # noqa: E731
    plan = [
        (("D1",), "Họp giao ban dân số lúc 8:00 thứ Hai tại trạm y tế xã", at("11-20 03:00"),
         local("11-30 17:00"), ((1, "C1-01"), (2, "C1-02"), (4, "C2-01"), (5, "C3-01"))),
        (("C2",), "Rà soát phụ nữ mang thai trong tháng 11 và báo cáo lại trước ngày 10",
         at("11-01 03:00"), local("11-10 17:00"), ((4, "C2-01"),)),
        (("P",), "Chiến dịch tiêm chủng", at("11-18 03:00"), None,
         ((1, "C1-01"), (7, "C4-01"))),
        (("D2",), "Chỉ thị riêng cho Kỳ Anh", at("11-21 03:00"), None, ((7, "C4-01"),)),
        (("C1",), "Việc cũ", at("10-01 03:00"), local("10-10 17:00"), ((1, "C1-01"),)),
        (("D1",), "Gửi sau", at("11-23 02:00"), local("11-30 17:00"), ((1, "C1-01"),)),
    ]  # fmt: skip
    for targets, text, created, deadline, expected in plan:
        d = store.directives.add(
            author=9, targets=targets, text=text, created_at=created, deadline=deadline
        )
        store.directives.save(replace(d, expected=expected))
    for directive, person, when in ((1, 1, "11-21 02:00"), (1, 4, "11-22 02:00"),
                                    (3, 1, "11-24 02:00")):  # fmt: skip
        store.acks.add(Acknowledgement(directive, person, at(when), "button"))


def write_district(store: Store) -> None:
    write_people(store)
    for report in REPORTS:
        store.reports.add(report)
    write_directives(store)


def digests(
    store: Store,
    *,
    tree: AreaTree = TREE,
    clock: ManualClock | None = None,
    settings: DigestSection | None = None,
    **more: Any,
) -> Digests:
    """The Digests service over `store`, at the conftest's Monday morning unless told."""
    reports = Reports(store=store, areas=tree, types=TYPES, clock=clock or ManualClock(NOW), tz=TZ)
    return Digests(
        reports=reports, text=DigestText(Translator("vi"), TZ),
        settings=settings or DigestSection(), default_lang="vi", **more,
    )  # fmt: skip


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")
GIVEN = ("Thị Hương", "Văn Hùng", "Thị Lan", "Văn Đức", "Thị Hằng", "Văn Thắng", "Thị Nga",
         "Văn Quang", "Thị Thủy", "Văn Dũng", "Thị Phượng", "Văn Hải")  # fmt: skip


def _demo_values(rng: random.Random) -> dict[str, int]:
    boys, girls = rng.randint(0, 2), rng.randint(0, 2)
    return {
        "sinh": boys + girls, "sinh_nam": boys, "sinh_nu": girls, "chet": rng.randint(0, 1),
        "chuyen_den": rng.randint(0, 3), "chuyen_di": rng.randint(0, 2),
        "ket_hon": rng.randint(0, 1),
    }  # fmt: skip


def write_demo(store: Store) -> AreaTree:
    """The shipped config's province with a collaborator per village (one in ten unreachable),
    seven in ten villages reported this month, October nearly complete and some of it late,
    and four directives, two of them past their deadline. Returns the tree."""
    tree = AreaTree.from_config(_shipped.areas)
    rng = random.Random(20261123)
    villages = tree.villages_under(tree.root.code)
    people = []
    for i, v in enumerate(villages):
        name = f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i * 7) % len(GIVEN)]}"
        people.append(store.people.add(
            name=name, accounts=(Account(f"zalo:zalo1:v{i}", name, reachable=i % 10 != 3),),
            roles=(RoleGrant(Role.COLLABORATOR, v.code),), created_at=at("09-01 00:00"),
        ))  # fmt: skip
    for i, (v, person) in enumerate(zip(villages, people, strict=True)):
        months = [("2026-10", f"10-{rng.randint(2, 28):02d} 03:00", False)]
        if rng.random() < 0.15:  # late for October
            months = [("2026-10", f"11-{rng.randint(4, 20):02d} 03:00", True)]
        if rng.random() < 0.07:
            months = []
        if rng.random() < 0.7:
            months.append(("2026-11", f"11-{rng.randint(1, 22):02d} 03:00", False))
        for period, when, late in months:
            for n in range(rng.randint(1, 3)):
                rid = f"danso:{v.code}:{period}:{i}-{n}"
                store.reports.add(rep(rid, _demo_values(rng), when, person=person.id, late=late))
    root, commune = tree.root.code, tree.villages_under(tree.root.code)[0].parent
    plan = [(root, 2, "11-30 17:00"), (commune, 5, None), (root, 12, "11-15 17:00"),
            (commune, 20, "11-10 17:00")]  # fmt: skip
    for n, (target, days_ago, deadline) in enumerate(plan, start=1):
        created = NOW - timedelta(days=days_ago)
        expected = tuple(
            (p.id, v.code)
            for p, v in zip(people, villages, strict=True)
            if tree.contains(target, v.code)
        )
        d = store.directives.add(
            author=1, targets=(target,), text=f"Chỉ thị số {n}: rà soát và báo cáo số liệu dân số",
            created_at=created, deadline=at(deadline) if deadline else None,
        )  # fmt: skip
        store.directives.save(replace(d, expected=expected))
        for pid, _ in expected[: len(expected) * 2 // 3]:
            store.acks.add(Acknowledgement(d.id, pid, created, "button"))
    return tree
