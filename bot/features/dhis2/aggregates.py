"""A period's numbers per organisation unit and field: the sum over the latest version of each
report that is not retracted, of every village the unit takes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.dhis2.mapping import OrgUnits, TypeMap
    from bot.store.base import ReportsRepo


@dataclass(frozen=True, slots=True)
class Value:
    """One number for DHIS2: a mapped area (its unit), a field, the sum."""

    unit: str  # the mapped area's code
    field: str
    value: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A report type's period, summed: the values, how many reports they come from, and the
    areas whose reports no unit takes (not sent; the admins are told)."""

    type_code: str
    period: str
    values: tuple[Value, ...]
    reports: int
    unmapped: tuple[str, ...]

    @property
    def units(self) -> int:
        return len({v.unit for v in self.values})


def aggregate(
    reports: ReportsRepo,
    tm: TypeMap,
    units: OrgUnits,
    period: str,
    *,
    only: Collection[str] | None = None,
) -> Aggregate:
    """The sums of `period` (a stored key), for the mapped areas in `only` (None: all).

    A (unit, field) gets a value when any report there gave the field, retracted ones
    included: its sum then may be 0, which clears a number sent before (DHIS2 deletes a
    stored value that a zero replaces when zeros are not kept). Fields no report gave are not
    sent, since no report is not zero.
    """
    areas = None
    if only is not None:
        areas = {code for unit in only for code in units.areas.subtree(unit)}
    sums: dict[tuple[str, str], int] = {}
    counted = 0
    unmapped: set[str] = set()
    for report in reports.in_period(tm.type_code, period, areas=areas):
        unit = units.unit_of(report.area)
        if unit is None:
            if not report.retracted:
                unmapped.add(report.area)
            continue
        if only is not None and unit not in only:
            continue
        given = [
            (code, value)
            for code, value in report.values.items()
            if code in tm.fields and isinstance(value, int) and not isinstance(value, bool)
        ]
        for code, value in given:
            key = (unit, code)
            sums[key] = sums.get(key, 0) + (0 if report.retracted else value)
        counted += not report.retracted
    order = {code: i for i, code in enumerate(a.code for a in units.areas.all())}
    fields = {code: i for i, code in enumerate(tm.fields)}
    values = sorted(
        (Value(unit, code, total) for (unit, code), total in sums.items()),
        key=lambda v: (order[v.unit], fields[v.field]),
    )
    return Aggregate(tm.type_code, period, tuple(values), counted, tuple(sorted(unmapped)))
