"""The demo people of the sandbox, in their roles, with groups and some reports already in.

Written straight into the sandbox's own store before its bot starts: these are a training
district's fixtures, not anything a real district ever sees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.models import Account, GroupBinding, Report, Role, RoleGrant
from bot.features.reports.types import ReportTypes

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.areas import AreaTree
    from bot.core.models import Area
    from bot.store.base import Store

COLLABORATORS_PER_COMMUNE = 3
OFFICER_NAMES = ("Nguyễn Thị Lan", "Trần Văn Minh", "Lê Thị Hồng", "Phạm Văn Đức", "Hoàng Thị Mai",
                 "Võ Văn Nam")  # fmt: skip
COLLABORATOR_NAMES = (
    "Chị Hoa", "Anh Tú", "Chị Hương", "Anh Bình", "Chị Thảo", "Anh Quang", "Chị Nga", "Anh Sơn",
    "Chị Liên", "Anh Hải", "Chị Dung", "Anh Phúc", "Chị Yến", "Anh Tâm", "Chị Vân", "Anh Lộc",
    "Chị Oanh", "Anh Khánh",
)  # fmt: skip
NEWCOMERS = ("Người mới 1", "Người mới 2")
ROLE_LABELS = {
    "admin": "Quản trị", "supervisor": "Giám sát", "officer": "Cán bộ",
    "collaborator": "Cộng tác viên", "": "Chưa đăng ký",
}  # fmt: skip


@dataclass(slots=True)
class Persona:
    """Someone the trainee can be: a demo person (uid = their person id) or a newcomer."""

    uid: str
    name: str
    role: str
    area: str
    commune: str  # commune code, or "" above communes and for newcomers
    app: str  # the app this person uses now: telegram | zalo

    def json(self, areas: AreaTree) -> dict[str, object]:
        return {
            "id": self.uid, "name": self.name, "role": self.role,
            "role_label": ROLE_LABELS[self.role],
            "area": areas.get(self.area).name if self.area in areas else "",
            "commune": areas.get(self.commune).name if self.commune in areas else "",
            "has_group": bool(self.commune), "app": self.app,
        }  # fmt: skip


def group_id(commune: str) -> str:
    return f"g-{commune}"


def _communes(areas: AreaTree) -> list[Area]:
    return [a for a in areas.all() if a.kind in ("commune", "ward")]


def _supervised(areas: AreaTree) -> Area:
    """The district (or health region) a supervisor watches: the root, or its only child."""
    children = areas.children(areas.root.code)
    return children[0] if len(children) == 1 else areas.root


def seed_demo(
    store: Store, areas: AreaTree, types: ReportTypes | None, *, now: datetime, tz: ZoneInfo
) -> list[Persona]:
    """People, roles, Telegram groups and this period's first reports; returns the personas."""
    personas: list[Persona] = []

    def person(name: str, role: Role, area: str, commune: str, app: str) -> Persona:
        added = store.people.add(
            name=name, roles=(RoleGrant(role, area, granted_by="sandbox", granted_at=now),),
            created_at=now,
        )  # fmt: skip
        account = Account(f"sandbox:{app}:{added.id}", display_name=name, reachable=True)
        store.people.save(replace(added, accounts=(account,), consent_at=now, consent_version=1))
        persona = Persona(str(added.id), name, role.value, area, commune, app)
        personas.append(persona)
        return persona

    with store.atomic():
        person("Quản trị viên", Role.ADMIN, areas.root.code, "", "telegram")
        top = _supervised(areas)
        person(f"Giám sát {top.name}", Role.SUPERVISOR, top.code, "", "telegram")
        names = iter(COLLABORATOR_NAMES * 10)
        for i, commune in enumerate(_communes(areas)):
            officer = person(
                f"{OFFICER_NAMES[i % len(OFFICER_NAMES)]}", Role.OFFICER, commune.code,
                commune.code, "telegram",
            )  # fmt: skip
            chat_key = f"sandbox:telegram:{group_id(commune.code)}"
            store.groups.save(
                GroupBinding(chat_key, commune.code, title=f"Y tế {commune.name}",
                             bound_by=int(officer.uid), bound_at=now)
            )  # fmt: skip
            villages = areas.villages_under(commune.code)[:COLLABORATORS_PER_COMMUNE]
            for k, village in enumerate(villages):
                # One in three starts on Zalo, to show both apps side by side.
                app = "zalo" if k == COLLABORATORS_PER_COMMUNE - 1 else "telegram"
                person(next(names), Role.COLLABORATOR, village.code, commune.code, app)
        if types is not None:
            _first_reports(store, areas, types, personas, now=now, tz=tz)
    personas += [Persona(f"n{k}", name, "", "", "", "telegram") for k, name in
                 enumerate(NEWCOMERS, start=1)]  # fmt: skip
    return personas


def _first_reports(
    store: Store,
    areas: AreaTree,
    types: ReportTypes,
    personas: list[Persona],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """The first collaborator of each commune has already reported this period."""
    rt = types.default
    first = next((f.code for f in rt.fields if f.kind == "number"), None)
    if first is None:
        return
    period = periods.current_period(rt, now.astimezone(tz).date()).key
    first_of_commune: set[str] = set()
    for k, p in enumerate(personas):
        if p.role != "collaborator" or p.commune in first_of_commune:
            continue
        first_of_commune.add(p.commune)
        values = {first: 1 + k % 3}
        report_id = f"{rt.code}:{p.area}:{period}:demo"
        if rt.mode != "event":
            report_id = f"{rt.code}:{p.area}:{period}"
        store.reports.add(
            Report(
                report_id,
                rt.code,
                p.area,
                period,
                values,
                int(p.uid),
                "sandbox",
                now,
                area_name=areas.get(p.area).name,
            )
        )
