"""Targets of a send to an area: the words that mean "everywhere", and the unit (one level below
the target) that a status or a result counts an area under."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.core.models import Area

if TYPE_CHECKING:
    from bot.core.areas import AreaTree

ALL_WORDS = frozenset({"all", "tat ca", "toan bo", "ca", "toan huyen", "toan xa"})

R = TypeVar("R")


def unit_of(areas: AreaTree, targets: tuple[str, ...], area: str) -> str:
    """The area one level below the target that holds `area` (the target itself if `area` is
    it): with a district as target that is the commune, with a commune the village."""
    for target in targets:
        if target in areas and area in areas and areas.contains(target, area):
            path = areas.get(area).path
            below = path.index(target) + 1
            return path[below] if below < len(path) else target
    return area


class Units(Generic[R]):
    """One row per unit of a send's targets, made by `make` the first time an area under it
    counts; an area that left the config since the send is shown by its code."""

    def __init__(
        self, areas: AreaTree, targets: tuple[str, ...], make: Callable[[Area], R]
    ) -> None:
        self.areas = areas
        self.targets = targets
        self.make = make
        self._rows: dict[str, tuple[Area, R]] = {}

    def __call__(self, area: str) -> R:
        """The row of the unit that `area` counts under."""
        code = unit_of(self.areas, self.targets, area)
        if code not in self._rows:
            known = self.areas.get(code) if code in self.areas else None
            place = known or Area(code=code, name=code or "?", kind="", path=(code,))
            self._rows[code] = (place, self.make(place))
        return self._rows[code][1]

    def ordered(self) -> list[R]:
        """The rows in the order of the area tree."""
        rows = sorted(self._rows.values(), key=lambda pair: (pair[0].path, pair[0].name))
        return [row for _, row in rows]
