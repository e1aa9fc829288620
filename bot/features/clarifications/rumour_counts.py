"""The digest's count of rumour sightings: per clarification, split over the area's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import Area, RumourSighting

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.store.base import Store


@dataclass(frozen=True, slots=True)
class RumourCount:
    """One clarification's sightings in a digest's area and day, per unit of that area."""

    clarification: int
    phrase: str
    total: int
    units: tuple[tuple[str, int], ...]  # (unit name, sightings), most first


def counted(s: RumourSighting) -> bool:
    """Whether a sighting counts as the rumour repeated: one the watch was sure of and no officer
    marked "không phải tin đồn", or one an officer confirmed by adding its words as a phrase."""
    return s.taught == "phrase" or (s.sure and s.taught != "not_rumour")


def rumour_counts(
    store: Store, areas: AreaTree, area: Area, units: list[Area], start: datetime, end: datetime
) -> list[RumourCount]:
    """Sightings between `start` and `end` in groups inside `area` (or bound above it), per
    clarification, most first, each split over the units (communes) of the area."""
    per: dict[int, dict[str, int]] = {}
    for s in store.sightings.since(start):
        if s.at > end or s.area not in areas or not counted(s):
            continue
        if not (areas.contains(area.code, s.area) or areas.contains(s.area, area.code)):
            continue
        unit = next((u.name for u in units if areas.contains(u.code, s.area)), None)
        name = unit or areas.get(s.area).name
        per.setdefault(s.clarification, {}).setdefault(name, 0)
        per[s.clarification][name] += 1
    counts = []
    for number, by_unit in per.items():
        c = store.clarifications.get(number)
        phrase = c.phrases[0] if c and c.phrases else ""
        ordered = tuple(sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0])))
        counts.append(RumourCount(number, phrase, sum(by_unit.values()), ordered))
    return sorted(counts, key=lambda r: (-r.total, r.clarification))
