"""Where the numbers go in DHIS2: each mapped report type's fields as data elements, and each
area as the organisation unit of the nearest mapped area at or above it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.dhis2 import Dhis2Section
    from bot.config.reports import ReportTypeConfig
    from bot.core.areas import AreaTree


@dataclass(frozen=True, slots=True)
class Target:
    """A field's place in DHIS2: its data element and category option combo (None: default)."""

    data_element: str
    category_option_combo: str | None = None


@dataclass(frozen=True, slots=True)
class TypeMap:
    """One report type's mapping: its data set (optional) and its fields, in config order."""

    type_code: str
    data_set: str | None
    fields: Mapping[str, Target]


class OrgUnits:
    """Area code → the organisation unit its reports add up in: its own if it is mapped, else
    the nearest mapped area's above it (a commune's unit takes its villages' reports)."""

    def __init__(self, areas: AreaTree, units: Mapping[str, str]) -> None:
        self.areas = areas
        self.units = {code: uid for code, uid in units.items() if code in areas}

    def unit_of(self, area: str) -> str | None:
        """The mapped area code whose unit takes reports of `area`, or None."""
        if area not in self.areas:
            return None  # an area removed from the tree since
        for code in reversed(self.areas.get(area).path):
            if code in self.units:
                return code
        return None

    def uid(self, mapped: str) -> str:
        return self.units[mapped]

    def within(self, area: str) -> set[str]:
        """The mapped areas a push limited to `area` sends: those inside it, or the one that
        contains it. Each unit is always sent whole: a village alone would overwrite its
        commune's total with its own numbers."""
        inside = {code for code in self.units if self.areas.contains(area, code)}
        above = self.unit_of(area)
        return inside | ({above} if above else set())

    def name(self, mapped: str) -> str:
        return self.areas.get(mapped).name


@dataclass(frozen=True, slots=True)
class Dhis2Map:
    """Everything a push needs to know of config: the mapped types and the units."""

    types: tuple[TypeMap, ...]
    units: OrgUnits

    @classmethod
    def from_config(
        cls, section: Dhis2Section, report_types: Sequence[ReportTypeConfig], areas: AreaTree
    ) -> Dhis2Map:
        types = tuple(
            TypeMap(
                type_code=rt.code,
                data_set=rt.dhis2.data_set,
                fields={
                    code: Target(t.data_element, t.category_option_combo)
                    for code, t in rt.dhis2.fields.items()
                },
            )
            for rt in report_types
            if rt.dhis2 is not None
        )
        return cls(types=types, units=OrgUnits(areas, section.org_units))

    def describe(self, uid: str, field_names: Mapping[str, str]) -> str:
        """A DHIS2 id as our own name, for conflicts DHIS2 reports: the area of an organisation
        unit, the field of a data element; the id alone when it is neither."""
        for code, unit in self.units.units.items():
            if unit == uid:
                return f"{self.units.name(code)} ({uid})"
        for tm in self.types:
            for code, target in tm.fields.items():
                if uid in (target.data_element, target.category_option_combo):
                    return f"{field_names.get(code, code)} ({uid})"
        return uid
