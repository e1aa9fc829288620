"""The help catalogue: which commands /trogiup and the menus show to whom, in what order, and
the places their examples name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.core.models import Role

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.areas import AreaTree
    from bot.core.messages import ChatKind
    from bot.core.router import Command


class Audience(StrEnum):
    """Who is reading the help: the role that decides what comes first."""

    NEWCOMER = "newcomer"  # known to no officer yet
    PENDING = "pending"  # asked to join a village, waiting for an officer
    COLLABORATOR = "collaborator"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"
    ADMIN = "admin"


# What each audience reaches for most, first. Every other command they may use follows in the
# order the routers registered it, so a new command shows up without an edit here.
FIRST: dict[Audience, tuple[str, ...]] = {
    who: tuple(names.split())
    for who, names in {
        Audience.NEWCOMER: "dangky batdau dulieu dongy toi lienket camnang",
        Audience.PENDING: "toi dangky dulieu dongy camnang lienket",
        Audience.COLLABORATOR: "baocao sua cuatoi huybaocao danhan hoi camnang toi lienket",
        Audience.SUPERVISOR: "tonghop thieu xuat tinhtrang nguoi camnang toi",
        Audience.OFFICER: (
            "thieu chithi xacnhan tinhtrang duyet traloi baocao sua huybaocao tonghop xuat "
            "nhac khaosat dinhchinh camnang nguoi vaitro moilai thaythe ngung gannhom danhan toi"
        ),
        Audience.ADMIN: (
            "vaitro duyet nguoi nhatky thieu chithi xacnhan tinhtrang tonghop xuat nhac khaosat "
            "dinhchinh traloi camnang moilai thaythe ngung gannhom toi"
        ),
    }.items()
}
STAFF = frozenset({Audience.OFFICER, Audience.ADMIN})
# Commands anyone may type, but that only these audiences have a use for: only officers have a
# directive or survey waiting for /xacnhan; officers and admins are given their areas, not
# registered into a village.
SHOWN_ONLY_TO: dict[str, frozenset[Audience]] = {
    "xacnhan": STAFF,
    "dangky": frozenset({Audience.NEWCOMER, Audience.PENDING, Audience.COLLABORATOR}),
    # Days away matter to those who are reminded and chased; admins may still type it.
    "vang": frozenset({Audience.COLLABORATOR, Audience.OFFICER}),
}
# What everyone has: staff, whose lists are long, get these on one line (the whole help then
# fits one Zalo message of 2,000 characters).
EVERYDAY = frozenset({"toi", "lienket", "ngonngu", "dongy", "dulieu", "batdau", "huy", "trogiup"})
COMPACT = frozenset({Audience.OFFICER, Audience.ADMIN, Audience.SUPERVISOR})
# The line of a command that reads differently for staff (writing the handbook).
STAFF_LINES = {"camnang": "help.camnang_staff"}
_RANK = (
    (Role.ADMIN, Audience.ADMIN),
    (Role.OFFICER, Audience.OFFICER),
    (Role.SUPERVISOR, Audience.SUPERVISOR),
    (Role.COLLABORATOR, Audience.COLLABORATOR),
)


def audience(actor: Actor, *, pending: bool) -> Audience:
    """The highest role the actor holds, or where a person without one stands."""
    held = {g.role for g in actor.grants}
    for role, who in _RANK:
        if role in held:
            return who
    return Audience.PENDING if pending else Audience.NEWCOMER


def guide(
    commands: Iterable[Command], actor: Actor, kind: ChatKind, who: Audience
) -> list[Command]:
    """The commands this actor may use in this kind of chat, theirs first."""
    return _ordered([c for c in commands if kind in c.where and _for(c, actor, who)], who)


def elsewhere(
    commands: Iterable[Command], actor: Actor, kind: ChatKind, who: Audience
) -> list[Command]:
    """The commands this actor may use, only in the other kind of chat (theirs first)."""
    return _ordered([c for c in commands if kind not in c.where and _for(c, actor, who)], who)


def everyday(shown: list[Command], who: Audience) -> tuple[list[Command], list[Command]]:
    """`shown` split into the commands that get a line each and those named on one line."""
    if who not in COMPACT:
        return shown, []
    return [c for c in shown if c.name not in EVERYDAY], [c for c in shown if c.name in EVERYDAY]


def public(commands: Iterable[Command]) -> list[Command]:
    """The commands of the menu every account sees (a platform's menu is the same for all):
    what a collaborator or a newcomer may use, a collaborator's first; never staff's."""
    everyone = (Audience.COLLABORATOR, Audience.NEWCOMER)
    shown = [
        c
        for c in commands
        if (c.roles is None or Role.COLLABORATOR in c.roles)
        and any(who in SHOWN_ONLY_TO.get(c.name, everyone) for who in everyone)
    ]
    return _ordered(shown, Audience.COLLABORATOR)


def line_key(cmd: Command, who: Audience) -> str:
    """The catalog key of the command's help line for this audience."""
    if who in STAFF and cmd.name in STAFF_LINES:
        return STAFF_LINES[cmd.name]
    return cmd.help_key


def _for(cmd: Command, actor: Actor, who: Audience) -> bool:
    if cmd.roles is not None and not actor.has_any(cmd.roles):
        return False
    shown = SHOWN_ONLY_TO.get(cmd.name)
    return shown is None or who in shown


def _ordered(commands: list[Command], who: Audience) -> list[Command]:
    first = {name: i for i, name in enumerate(FIRST[who])}
    return sorted(commands, key=lambda c: (first.get(c.name, len(first)), c.order))


def examples(areas: AreaTree, actor: Actor) -> dict[str, str]:
    """A village and a commune of the reader's own area (else the tree's first ones), for the
    examples of help lines: /dangky Thôn Sơn Ninh, /gannhom Xã Hương Sơn."""
    own = [g.area for g in actor.grants if g.area in areas]
    return {"village": _near(areas, own, "village"), "commune": _near(areas, own, "commune")}


def _near(areas: AreaTree, own: Sequence[str], kind: str) -> str:
    """The first area of `kind` above or below one of `own`, else anywhere in the tree."""
    for code in [*own, areas.root.code]:
        above = [areas.get(c) for c in reversed(areas.get(code).path)]
        below = [areas.get(c) for c in areas.subtree(code)]
        found = next((a for a in (*above, *below) if a.kind == kind), None)
        if found is not None:
            return found.name
    return areas.root.name
