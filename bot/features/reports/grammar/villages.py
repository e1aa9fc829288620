"""Which village a report is for, when the report names one: among the sender's own villages
first, and a refusal that lists the villages they do cover, with the message to copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.areas import bare_name
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.models import Area, Role
from bot.core.places import resolve
from bot.core.text import fold
from bot.features.reports.grammar.words import without_polite_tail

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.areas import AreaTree

MAX_LISTED = 10  # villages named in a refusal; an officer's area may hold hundreds


def covered(areas: AreaTree, actor: Actor) -> list[Area]:
    """The villages a person reports for: their own as a collaborator, then those of the
    areas they are an officer of."""
    codes = [g.area for g in actor.grants if g.role is Role.COLLABORATOR]
    found = {c: areas.get(c) for c in codes if c in areas}
    for area in actor.areas_of((Role.OFFICER,)):
        if area in areas:
            found.update((v.code, v) for v in areas.villages_under(area) if v.code not in found)
    return list(found.values())


def listed(areas: AreaTree, villages: list[Area]) -> str:
    """The villages by name (with their commune where two share a name), the first ten."""
    names = [v.name for v in villages]
    shown = []
    for v in villages[:MAX_LISTED]:
        twin = names.count(v.name) > 1 and v.parent in areas
        shown.append(f"{v.name} ({areas.get(v.parent).name})" if twin else v.name)
    return ", ".join(shown) + (", …" if len(villages) > MAX_LISTED else "")


def _names(village: Area, text: str) -> bool:
    """Whether `text` is the village's code or name (case, diacritics, "Thôn" aside)."""
    folded = fold(text)
    return (
        village.code == text
        or fold(village.name) == folded
        or bare_name(village.name) == bare_name(text)
    )


def named_village(
    areas: AreaTree, actor: Actor, text: str, *, example: Callable[[Area | None], str]
) -> Area:
    """The village `text` names that the sender may report for. One of their own named
    exactly wins over a namesake elsewhere ("Tổ dân phố 1" of another commune); a village
    not found, or not theirs, is refused with the villages they cover and `example(one)`."""
    mine = covered(areas, actor)
    plain = without_polite_tail(text)  # "thôn Sơn Ninh ạ"; the whole name is tried first
    names = list(dict.fromkeys((text.strip(), plain)))
    for name in names:
        exact = [v for v in mine if _names(v, name)]
        if len(exact) == 1:
            return exact[0]
    village = _resolved(areas, names)
    if village is None:
        raise UserError(
            "report.unknown_village",
            village=plain,
            villages=listed(areas, mine),
            example=example(mine[0] if mine else None),
        )
    if village.code in {v.code for v in mine}:
        return village
    if not mine:
        raise Forbidden("report.not_collaborator")
    raise Forbidden("report.not_your_village", village=village.name, villages=listed(areas, mine))


def _resolved(areas: AreaTree, names: list[str]) -> Area | None:
    """The village the first of `names` that names one names (ambiguity is raised)."""
    for name in names:
        try:
            return resolve(areas, name, kinds=("village",))
        except NotFound:
            continue
    return None
