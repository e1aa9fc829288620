"""The daily digest as numbers: completeness, totals against the previous period, missing and
late villages, directive acknowledgements; computed from the store for one area and day."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.models import Area, Directive, Person, Report, Role
from bot.core.periods import Period
from bot.features.clarifications.rumour_counts import RumourCount, rumour_counts
from bot.features.questions.reach import OpenQuestions, open_questions
from bot.features.reports.types import FieldSpec, ReportType
from bot.features.review.marks import returned_as_of

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.areas import AreaTree
    from bot.store.base import Store

log = logging.getLogger(__name__)

RECENT_DAYS = 7  # directives sent this recently count in the acknowledgement rate
OVERDUE_DAYS = 30  # an overdue directive is listed this long after its deadline
_TICK = timedelta(microseconds=1)  # the last moment before a period starts is in the one before


@dataclass(frozen=True, slots=True)
class UnitRow:
    """Completeness of one unit (a commune under a district or region; a village under a
    commune). Expected villages are those with an active collaborator."""

    area: Area
    expected: int
    reported: int  # expected villages with a report that counts, this period
    on_time: int  # of those, with a counting report not marked late
    previous_reported: int  # the same for the previous period, as it stands at the cutoff
    previous_on_time: int
    uncovered: int  # villages with no active collaborator (not expected)
    returned: int = 0  # reports an officer returned, waiting for a correction (they count)


@dataclass(frozen=True, slots=True)
class Collaborator:
    name: str
    reachable: bool  # the bot can write to them privately


@dataclass(frozen=True, slots=True)
class MissingRow:
    """An expected village with no counting report this period, and who should send it."""

    village: Area
    unit: Area
    collaborators: tuple[Collaborator, ...]


@dataclass(frozen=True, slots=True)
class LateRow:
    """A village's counting reports marked late for one period (this one or the previous)."""

    village: Area
    unit: Area
    period: str
    reports: int  # how many (event mode: one per event)
    received_at: datetime  # the latest of them
    reporter: str  # who sent the latest


@dataclass(frozen=True, slots=True)
class ReturnedRow:
    """A report an officer sent back, still waiting for its correction at the cutoff."""

    village: Area
    unit: Area
    number: int
    officer: str
    returned_at: datetime


@dataclass(frozen=True, slots=True)
class FieldTotal:
    """A number field summed over the period so far, and over the previous one at that point."""

    field: FieldSpec
    current: int
    previous: int


@dataclass(frozen=True, slots=True)
class TypeDigest:
    """One report type's part of the digest."""

    type: ReportType
    period: Period
    previous: Period
    deadline: date
    units: tuple[UnitRow, ...]
    totals: tuple[FieldTotal, ...]
    missing: tuple[MissingRow, ...]
    late: tuple[LateRow, ...]
    returned: tuple[ReturnedRow, ...] = ()  # apart from the missing: sent, but sent back

    @property
    def expected(self) -> int:
        return sum(u.expected for u in self.units)

    @property
    def reported(self) -> int:
        return sum(u.reported for u in self.units)

    @property
    def on_time(self) -> int:
        return sum(u.on_time for u in self.units)

    @property
    def previous_reported(self) -> int:
        return sum(u.previous_reported for u in self.units)

    @property
    def previous_on_time(self) -> int:
        return sum(u.previous_on_time for u in self.units)

    @property
    def uncovered(self) -> int:
        return sum(u.uncovered for u in self.units)


@dataclass(frozen=True, slots=True)
class DirectiveRow:
    """A directive's acknowledgements among the people of the digest's area."""

    id: int
    text: str
    created_at: datetime
    deadline: datetime | None
    expected: int
    acked: int


@dataclass(frozen=True, slots=True)
class DirectiveSummary:
    """`recent`: sent in the last RECENT_DAYS days or still before their deadline; `overdue`:
    deadline passed (in the last OVERDUE_DAYS days) and not everyone acknowledged."""

    recent: tuple[DirectiveRow, ...]
    overdue: tuple[DirectiveRow, ...]

    @property
    def expected(self) -> int:
        return sum(d.expected for d in self.recent)

    @property
    def acked(self) -> int:
        return sum(d.acked for d in self.recent)


@dataclass(frozen=True, slots=True)
class DigestData:
    """Everything the digest says, as numbers; `cutoff` is the moment it describes."""

    area: Area
    on: date
    cutoff: datetime
    types: tuple[TypeDigest, ...]
    directives: DirectiveSummary
    questions: OpenQuestions = field(default_factory=OpenQuestions)
    rumours: tuple[RumourCount, ...] = ()  # the day's rumour sightings, per clarification


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent, rounded half up; None when `whole` is 0."""
    return None if whole <= 0 else (200 * part + whole) // (2 * whole)


def units_of(areas: AreaTree, area: Area) -> list[Area]:
    """The areas one level below `area`, skipping levels with one child (a province with one
    health region shows its communes); a village is its own unit."""
    units = [area]
    while len(units) == 1 and units[0].kind != "village":
        below = areas.children(units[0].code)
        if not below:
            break
        units = below
    return units


@dataclass(frozen=True, slots=True)
class Scope:
    """Who and what one digest covers, read once for all its report types."""

    units: dict[str, list[str]]  # unit code → its village codes, in tree order
    unit_of: dict[str, Area]  # village (or area above the villages) code → its unit
    collaborators: dict[str, list[Person]]  # village code → its active collaborators
    names: dict[int, str]  # person id → name (reporters may have left)


class DigestBuilder:
    """Computes DigestData from the store, reading only the periods it needs."""

    def __init__(self, *, store: Store, areas: AreaTree, tz: ZoneInfo) -> None:
        self.store = store
        self.areas = areas
        self.tz = tz

    def cutoff(self, on: date, now: datetime) -> datetime:
        """The last moment the digest of `on` covers (inclusive): the end of that local day,
        or `now` if that day is today."""
        start, end = datetime.combine(on, time(), self.tz), datetime.combine(on, time.max, self.tz)
        return now if start <= now <= end else end

    def build(
        self, area_code: str, on: date, *, types: Sequence[ReportType], now: datetime
    ) -> DigestData:
        area = self.areas.get(area_code)
        cutoff = self.cutoff(on, now)
        scope = self.scope(area)
        parts = tuple(self._type(rt, on, cutoff, scope) for rt in types)
        return DigestData(
            area, on, cutoff, parts, self._directives(area, cutoff),
            questions=open_questions(self.store, self.areas, area.code, cutoff),
            rumours=tuple(rumour_counts(
                self.store, self.areas, area, units_of(self.areas, area),
                datetime.combine(on, time(), self.tz), cutoff,
            )),
        )  # fmt: skip

    def scope(self, area: Area) -> Scope:
        everyone = self.store.people.all()
        collaborators: dict[str, list[Person]] = {}
        for person in everyone:
            for grant in person.roles if person.active else ():
                if grant.role is Role.COLLABORATOR:
                    collaborators.setdefault(grant.area, []).append(person)
        units: dict[str, list[str]] = {}
        unit_of: dict[str, Area] = {}
        # Reports filed on an area above the villages (moved there by `areas migrate` when old
        # communes had no villages) still count in the totals, under the unit holding that area.
        held: dict[str, Area] = {
            code: area for code in self.areas.subtree(area.code)
            if self.areas.get(code).kind != "village"
        }  # fmt: skip
        for unit in units_of(self.areas, area):
            units[unit.code] = [v.code for v in self.areas.villages_under(unit.code)]
            unit_of.update(dict.fromkeys(units[unit.code], unit))
            held.update((c, unit) for c in self.areas.subtree(unit.code) if c in held)
        unit_of.update(held)
        return Scope(units, unit_of, collaborators, {p.id: p.name for p in everyone})

    def as_of(self, found: Iterable[Report], moment: datetime) -> list[Report]:
        """Each report as it stood at `moment` (its latest version received by then), left out
        if it did not exist yet or stood retracted."""
        out = []
        for report in found:
            current: Report | None = report
            if report.received_at > moment:
                current = None
                if report.version > 1:  # a correction came later: find what stood before it
                    older = self.store.reports.versions(report.id)
                    current = next((v for v in reversed(older) if v.received_at <= moment), None)
            if current is not None and not current.retracted:
                out.append(current)
        return out

    def part(self, rt: ReportType, period: Period, cutoff: datetime, scope: Scope) -> TypeDigest:
        """One report type's numbers for `period` as they stood at `cutoff`, computed as the
        digest computes them (the read-only API serves them per area and period)."""
        return self._type(rt, period.start, cutoff, scope)

    def _type(self, rt: ReportType, on: date, cutoff: datetime, scope: Scope) -> TypeDigest:
        period = periods.current_period(rt, on)
        previous = period.previous()
        # The previous period at the same point: as far into it as `cutoff` is into this one.
        start = datetime.combine(period.start, time(), self.tz)
        before_start = datetime.combine(previous.start, time(), self.tz)
        same_point = min(before_start + (cutoff - start), start - _TICK)
        codes = list(scope.unit_of)
        found = self.store.reports.in_period(rt.code, period.key, areas=codes)
        found_before = self.store.reports.in_period(rt.code, previous.key, areas=codes)
        current = self.as_of(found, cutoff)
        before = self.as_of(found_before, cutoff)
        reported = {r.area for r in current}
        counted = (
            reported,
            {r.area for r in current if not r.late},
            {r.area for r in before},
            {r.area for r in before if not r.late},
        )
        rows = tuple(self._unit(code, vs, scope, counted) for code, vs in scope.units.items())
        missing = tuple(
            MissingRow(self.areas.get(v), scope.unit_of[v], tuple(
                Collaborator(p.name, any(a.reachable for a in p.accounts))
                for p in scope.collaborators[v]
            ))
            for villages in scope.units.values() for v in villages
            if v in scope.collaborators and v not in reported
        )  # fmt: skip
        same_time = self.as_of(found_before, same_point)
        totals = tuple(
            FieldTotal(f, _sum(current, f.code), _sum(same_time, f.code))
            for f in rt.fields
            if f.kind == "number"
        )
        late = self._late((*current, *before), scope)
        deadline = periods.deadline(rt, period)
        returned = tuple(
            ReturnedRow(self.areas.get(r.area), scope.unit_of[r.area], r.number,
                        scope.names.get(m.officer, f"#{m.officer}"), m.returned_at)
            for r, m in returned_as_of(self.store, current, cutoff) if r.area in self.areas
        )  # fmt: skip
        per_unit = {u: sum(1 for x in returned if x.unit.code == u) for u in scope.units}
        rows = tuple(replace(u, returned=per_unit.get(u.area.code, 0)) for u in rows)
        return TypeDigest(rt, period, previous, deadline, rows, totals, missing, late, returned)

    def _late(self, found: Iterable[Report], scope: Scope) -> tuple[LateRow, ...]:
        """Late reports per village and period, the most recently received first."""
        groups: dict[tuple[str, str], list[Report]] = {}
        for report in found:
            if report.late:
                groups.setdefault((report.area, report.period), []).append(report)
        rows = []
        for (village, period), reports in groups.items():
            last = max(reports, key=lambda r: r.received_at)
            unit = scope.unit_of[village]
            rows.append(LateRow(
                self.areas.get(village), unit, period, len(reports), last.received_at,
                scope.names.get(last.reporter, f"#{last.reporter}"),
            ))  # fmt: skip
        return tuple(sorted(rows, key=lambda r: r.received_at, reverse=True))

    def _unit(
        self, code: str, villages: list[str], scope: Scope, counted: tuple[set[str], ...]
    ) -> UnitRow:
        """`counted`: villages reported, on time, reported in the previous period, on time."""
        expected = {v for v in villages if v in scope.collaborators}
        reported, on_time, before, before_on_time = (len(c & expected) for c in counted)
        return UnitRow(
            self.areas.get(code), len(expected), reported, on_time, before, before_on_time,
            len(villages) - len(expected),
        )  # fmt: skip

    def _directives(self, area: Area, cutoff: datetime) -> DirectiveSummary:
        recent, overdue = [], []
        for d in self.store.directives.all():
            if d.created_at > cutoff or not self._overlaps(area, d):
                continue
            inside = [pid for pid, a in d.expected if self.areas.contains(area.code, a)]
            if not inside:
                continue
            acks = self.store.acks.for_directive(d.id)
            acked = sum(1 for pid in inside if pid in acks and acks[pid].at <= cutoff)
            row = DirectiveRow(d.id, d.text, d.created_at, d.deadline, len(inside), acked)
            still_open = d.deadline is not None and d.deadline > cutoff
            if still_open or d.created_at > cutoff - timedelta(days=RECENT_DAYS):
                recent.append(row)
            if (
                d.deadline is not None
                and cutoff - timedelta(days=OVERDUE_DAYS) < d.deadline <= cutoff
                and acked < len(inside)
            ):
                overdue.append(row)
        return DirectiveSummary(tuple(recent), tuple(overdue))

    def _overlaps(self, area: Area, d: Directive) -> bool:
        return any(
            t in self.areas
            and (self.areas.contains(area.code, t) or self.areas.contains(t, area.code))
            for t in d.targets
        )


def _sum(reports: Iterable[Report], code: str) -> int:
    total = 0
    for report in reports:
        value = report.values.get(code)
        if isinstance(value, int) and not isinstance(value, bool):
            total += value
    return total
