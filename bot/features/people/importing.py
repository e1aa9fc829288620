"""Importing people from a CSV file: read and check every row first, then create the people with
their roles and one invite each, Zalo people spread over the Zalo bots within their caps."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core import places
from bot.core.admin_records import Invite
from bot.core.errors import UserError
from bot.core.models import Person, Role, RoleGrant
from bot.core.text import fold
from bot.features.people.directory import ROLE_WORDS
from bot.features.people.zalo_seats import ZaloSeats

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.features.people.invites import Invites
    from bot.store.base import Store

# Header names (folded) → column; Vietnamese headers too, since the sheet comes from a commune.
HEADERS = {
    "name": "name", "ten": "name", "ho ten": "name", "ho va ten": "name",
    "phone_or_note": "phone", "phone": "phone", "note": "phone", "so dien thoai": "phone",
    "sdt": "phone", "ghi chu": "phone", "dien thoai": "phone",
    "role": "role", "vai tro": "role",
    "area": "area", "dia ban": "area", "khu vuc": "area",
    "platform": "platform", "nen tang": "platform", "ung dung": "platform",
}  # fmt: skip
REQUIRED = ("name", "role", "area", "platform")
PLATFORMS = {"telegram": "telegram", "tg": "telegram", "zalo": "zalo"}
_PHONE = re.compile(r"\+?[\d .()-]{8,20}")


@dataclass(frozen=True, slots=True)
class Row:
    """One checked row of the file; `line` is its line number in the file (header = 1)."""

    line: int
    name: str
    phone: str  # a phone number, or "" (a note is echoed to the output file, not stored)
    note: str
    role: Role
    area: str
    platform: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one row: "new" (person and invite made), "exists" (imported before:
    nothing made), "refused" (no Zalo bot with room)."""

    row: Row
    status: str
    person_id: int | None = None
    invite: Invite | None = None
    reason: str = ""


def read_rows(text: str, areas: AreaTree, *, zalo_bots: bool) -> tuple[list[Row], list[str]]:
    """Every row checked; the problems, one line each with its line number ([] when all good)."""
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        return [], ["line 1: the file is empty; the first line names the columns"]
    columns = {HEADERS.get(fold(h), ""): i for i, h in reversed(list(enumerate(header)))}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        wanted = "name, phone_or_note, role, area, platform"
        return [], [f"line 1: missing column(s) {', '.join(missing)}; the header is: {wanted}"]
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, Role], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        found = _check(line, cell, areas, zalo_bots=zalo_bots)
        if isinstance(found, list):
            problems.extend(found)
            continue
        same = (fold(found.name), found.area, found.role)
        if same in seen:
            problems.append(f"line {line}: the same person as line {seen[same]} (duplicate row)")
            continue
        seen[same] = line
        rows.append(found)
    if not rows and not problems:
        problems.append("the file has a header but no people")
    return rows, problems


def _check(
    line: int, cell: Callable[[str], str], areas: AreaTree, *, zalo_bots: bool
) -> Row | list[str]:
    bad: list[str] = []
    name = cell("name")
    if not name:
        bad.append(f"line {line}: no name")
    role_text = fold(cell("role"))
    role = ROLE_WORDS.get(role_text) or (Role(role_text) if role_text in set(Role) else None)
    if role is None:
        bad.append(f"line {line}: role {cell('role')!r} is not one of ctv, canbo, giamsat, admin")
    area = ""
    try:
        area = places.resolve(areas, cell("area")).code
    except UserError as exc:
        problem = _area_problem(exc, areas, cell("area"))
        bad.append(f"line {line}: area {cell('area')!r}: {problem}")
    platform = PLATFORMS.get(fold(cell("platform")), "")
    if not platform:
        bad.append(f"line {line}: platform {cell('platform')!r} is not telegram or zalo")
    elif platform == "zalo" and not zalo_bots:
        bad.append(f"line {line}: platform zalo, but config has no platforms.zalo.bots")
    if bad:
        return bad
    raw = cell("phone")
    phone = raw if _PHONE.fullmatch(raw) else ""
    assert role is not None
    return Row(line, name, phone, "" if phone else raw, role, area, platform)


def _area_problem(exc: UserError, areas: AreaTree, text: str) -> str:
    if exc.key == "area.missing":
        return "empty"
    options = places.candidates(areas, text)[:5] if text.strip() else []
    if exc.key == "area.ambiguous" and options:
        return "names several areas: " + ", ".join(f"{a.code} ({a.name})" for a in options)
    return "no such area (write its code or its name as in config)"


def known(store: Store) -> dict[tuple[str, str, Role], Person]:
    """Active people by (folded name, area, role) of each of their grants: a row naming one
    of these was imported (or granted) before."""
    index: dict[tuple[str, str, Role], Person] = {}
    for person in store.people.all():
        if person.active:
            for g in person.roles:
                index.setdefault((fold(person.name), g.area, g.role), person)
    return index


def apply(
    rows: Sequence[Row],
    *,
    store: Store,
    invites: Invites,
    seats: ZaloSeats,
    now: datetime,
    who: str,
) -> list[Outcome]:
    """Create the people and invites of `rows` (call inside store.atomic())."""
    outcomes: list[Outcome] = []
    taken = {i.code for i in store.invites.all()}
    before = known(store)
    for row in rows:
        found = before.get((fold(row.name), row.area, row.role))
        if found is not None:
            live = [i for i in invites.live_for(found.id) if i.platform == row.platform]
            outcomes.append(Outcome(row, "exists", found.id, live[-1] if live else None))
            continue
        bot = ""
        if row.platform == "zalo":
            # The seat is taken under a placeholder id until the person exists.
            bot = seats.place(-row.line, row.area) or ""
            if not bot:
                outcomes.append(Outcome(row, "refused", reason=seats.full_report(row.area)))
                continue
        person = store.people.add(
            name=row.name,
            roles=(RoleGrant(row.role, row.area, who, now),),
            created_at=now,
        )
        if row.phone:
            person = replace(person, phone=row.phone)
            store.people.save(person)
        if bot:
            seats.holders[bot].discard(-row.line)
            seats.holders[bot].add(person.id)
        invite = invites.issue(person, row.platform, bot=bot, created_by=who, taken=taken)
        outcomes.append(Outcome(row, "new", person.id, invite))
    return outcomes
