"""Targets of a send to an area: the words that mean "everywhere", and the unit (one level below
the target) that a status or a result counts an area under."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.areas import AreaTree

ALL_WORDS = frozenset({"all", "tat ca", "toan bo", "ca", "toan huyen", "toan xa"})


def unit_of(areas: AreaTree, targets: tuple[str, ...], area: str) -> str:
    """The area one level below the target that holds `area` (the target itself if `area` is
    it): with a district as target that is the commune, with a commune the village."""
    for target in targets:
        if target in areas and area in areas and areas.contains(target, area):
            path = areas.get(area).path
            below = path.index(target) + 1
            return path[below] if below < len(path) else target
    return area
