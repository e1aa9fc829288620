"""The digest's spreadsheet as numbers: for each report type, every village of the area with its
report of the current period as it stood at the cutoff and how it stood in the previous period,
a subtotal after each area above the villages (commune, region…), and the area's total."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.core import periods
from bot.core.models import Area, Report
from bot.core.periods import Period
from bot.features.reports.types import ReportType
from bot.features.review.marks import returned_as_of

if TYPE_CHECKING:
    from bot.features.digest.data import DigestBuilder, Scope

KINDS = ("province", "region", "district", "commune", "village")  # the tree's levels, top down


class Status(StrEnum):
    """Where a village stands for one period (counting reports as the digest counts them)."""

    ON_TIME = "on_time"  # a counting report not marked late
    LATE = "late"  # counting reports, every one of them late
    MISSING = "missing"  # an active collaborator, and nothing counted yet
    NOT_EXPECTED = "not_expected"  # no active collaborator, and nothing reported
    RETURNED = "returned"  # counting reports, one of them sent back by an officer to correct

    @property
    def reported(self) -> bool:
        return self in (Status.ON_TIME, Status.LATE, Status.RETURNED)


@dataclass(slots=True)
class Tally:
    """What a subtotal adds up: villages expected and reported (now and in the previous period,
    as the digest counts them: expected villages only) and the number fields of every report."""

    expected: int = 0
    reported: int = 0
    late: int = 0
    previous_reported: int = 0
    previous_late: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    returned: int = 0  # villages with a report sent back, waiting for a correction

    def add(self, other: Tally) -> None:
        self.returned += other.returned
        self.expected += other.expected
        self.reported += other.reported
        self.late += other.late
        self.previous_reported += other.previous_reported
        self.previous_late += other.previous_late
        for code, value in other.sums.items():
            self.sums[code] = self.sums.get(code, 0) + value


@dataclass(frozen=True, slots=True)
class Line:
    """A village, or an area above the villages holding reports `areas migrate` moved onto it."""

    area: Area
    above: tuple[Area, ...]  # the areas between the digest's area and this one, top down
    depth: int  # how many subtotal blocks hold this row (the outline level)
    expected: bool  # it has an active collaborator
    status: Status
    previous: Status
    values: dict[str, Any]  # this period's values (event mode: numbers summed over the events)
    reports: int  # counting reports this period (event mode: one per event)
    reporter: str  # who sent the latest of them
    received_at: datetime | None
    collaborators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Subtotal:
    """The rows of one area added up; `total` for the digest's own area (the last row)."""

    area: Area
    above: tuple[Area, ...]
    depth: int
    tally: Tally
    total: bool


@dataclass(frozen=True, slots=True)
class TypeSheet:
    """One report type's sheet: its rows in tree order, each area's subtotal after its rows."""

    type: ReportType
    period: Period
    previous: Period
    deadline: date
    levels: tuple[str, ...]  # the kinds of area below the digest's area, top down
    rows: tuple[Line | Subtotal, ...]

    @property
    def total(self) -> Tally:
        last = self.rows[-1] if self.rows else None
        return last.tally if isinstance(last, Subtotal) else Tally()

    @property
    def villages(self) -> int:
        return sum(1 for r in self.rows if isinstance(r, Line) and r.area.kind == "village")


def type_sheets(
    builder: DigestBuilder,
    area: Area,
    on: date,
    cutoff: datetime,
    types: Iterable[ReportType],
) -> tuple[TypeSheet, ...]:
    """A sheet per type, each for the type's period that `on` falls in, read as of `cutoff`."""
    scope = builder.scope(area)
    return tuple(_Sheet(builder, area, scope, rt, on, cutoff).build() for rt in types)


class _Sheet:
    def __init__(
        self,
        builder: DigestBuilder,
        area: Area,
        scope: Scope,
        rt: ReportType,
        on: date,
        cutoff: datetime,
    ) -> None:
        self.areas = builder.areas
        self.area, self.scope, self.rt = area, scope, rt
        self.period = periods.current_period(rt, on)
        self.previous = self.period.previous()
        codes = list(scope.unit_of)
        reports = builder.store.reports
        current = builder.as_of(reports.in_period(rt.code, self.period.key, areas=codes), cutoff)
        self.now = _by_area(current)
        self.returned = {r.number for r, _ in returned_as_of(builder.store, current, cutoff)}
        self.before = _by_area(builder.as_of(
            reports.in_period(rt.code, self.previous.key, areas=codes), cutoff))  # fmt: skip
        self.numbers = [f.code for f in rt.fields if f.kind == "number"]

    def build(self) -> TypeSheet:
        rows, _ = self._block(self.area, ())
        below = {a.kind for r in rows for a in (*r.above, r.area) if a.code != self.area.code}
        levels = tuple(sorted(below, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS)))
        levels = levels or (self.area.kind,)  # a village's own digest: its one row
        deadline = periods.deadline(self.rt, self.period)
        return TypeSheet(self.rt, self.period, self.previous, deadline, levels, tuple(rows))

    def _depth(self, area: Area) -> int:
        return len(area.path) - len(self.area.path)

    def _block(self, node: Area, above: tuple[Area, ...]) -> tuple[list[Line | Subtotal], Tally]:
        """`node`'s rows and their tally; a subtotal row after them unless nothing is there."""
        if node.kind == "village":
            line = self._line(node, above, self._depth(node))
            return [line], self._tally(line)
        rows: list[Line | Subtotal] = []
        tally = Tally()
        if node.code in self.now or node.code in self.before:  # reports moved onto this area
            line = self._line(node, above, self._depth(node) + 1)
            rows.append(line)
            tally.add(self._tally(line))
        inner = () if node.code == self.area.code else (*above, node)
        for child in self.areas.children(node.code):
            child_rows, child_tally = self._block(child, inner)
            rows += child_rows
            tally.add(child_tally)
        if rows:
            total = node.code == self.area.code
            rows.append(Subtotal(node, above, self._depth(node), tally, total))
        return rows, tally

    def _line(self, area: Area, above: tuple[Area, ...], depth: int) -> Line:
        now, before = self.now.get(area.code, []), self.before.get(area.code, [])
        people = self.scope.collaborators.get(area.code, []) if area.kind == "village" else []
        expected = bool(people)
        last = max(now, key=lambda r: r.received_at) if now else None
        status = _status(now, expected)
        if any(r.number in self.returned for r in now):
            status = Status.RETURNED
        return Line(
            area, above, depth, expected, status, _status(before, expected),
            self._values(now), len(now),
            self.scope.names.get(last.reporter, f"#{last.reporter}") if last else "",
            last.received_at if last else None, tuple(p.name for p in people),
        )  # fmt: skip

    def _values(self, found: Sequence[Report]) -> dict[str, Any]:
        """Period mode: the latest report's values. Event mode: number fields summed over the
        events that gave them, any other field as the latest event that gave it says."""
        ordered = sorted(found, key=lambda r: (r.received_at, r.id))
        if self.rt.mode != "event":
            return dict(ordered[-1].values) if ordered else {}
        values: dict[str, Any] = {}
        for spec in self.rt.fields:
            given = [r.values[spec.code] for r in ordered if spec.code in r.values]
            if given and spec.kind == "number":
                values[spec.code] = sum(v for v in given if _is_number(v))
            elif given:
                values[spec.code] = given[-1]
        return values

    def _tally(self, line: Line) -> Tally:
        counted = line.expected
        return Tally(
            expected=int(counted),
            reported=int(counted and line.status.reported),
            late=int(counted and line.status is Status.LATE),
            previous_reported=int(counted and line.previous.reported),
            previous_late=int(counted and line.previous is Status.LATE),
            returned=int(counted and line.status is Status.RETURNED),
            sums={c: v for c in self.numbers if _is_number(v := line.values.get(c))},
        )


def _by_area(found: Iterable[Report]) -> dict[str, list[Report]]:
    out: dict[str, list[Report]] = {}
    for report in found:
        out.setdefault(report.area, []).append(report)
    return out


def _status(found: Sequence[Report], expected: bool) -> Status:
    if found:
        return Status.LATE if all(r.late for r in found) else Status.ON_TIME
    return Status.MISSING if expected else Status.NOT_EXPECTED


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
