"""Completeness of one report type for an area and period: the digest's own numbers (villages
with a collaborator, reported, on time, missing, reports returned by an officer), one row per
area one level below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.periods import Period
from bot.features.digest.data import Scope, TypeDigest, UnitRow
from bot.features.reports.types import ReportType
from bot.web.api.auth import Caller
from bot.web.api.models import Counts, MissingVillage, ReturnedReport, UnitCompleteness
from bot.web.api.reading import ApiData


@dataclass(frozen=True, slots=True)
class Completeness:
    """The digest's part for one type and period, with the scope it was computed over."""

    part: TypeDigest
    scope: Scope
    as_of: datetime

    @property
    def rows(self) -> list[tuple[int, UnitRow]]:
        """The units in tree order, each with its place in that order (the paging key)."""
        return list(enumerate(self.part.units))

    def totals(self) -> Counts:
        p = self.part
        return _counts(p.expected, p.reported, p.on_time, p.uncovered, len(p.returned))


def completeness(data: ApiData, area: str, rt: ReportType, period: Period) -> Completeness:
    """As the digest computes it, but up to now: reports corrected or sent late since the
    period ended count as they stand."""
    now = data.reports.clock.now()
    scope = data.builder.scope(data.areas.get(area))
    return Completeness(data.builder.part(rt, period, now, scope), scope, now)


def unit(data: ApiData, caller: Caller, found: Completeness, row: UnitRow) -> UnitCompleteness:
    missing = [
        MissingVillage(
            code=m.village.code,
            name=m.village.name,
            collaborators=[
                data.person(caller, p.id)
                for p in found.scope.collaborators.get(m.village.code, [])
            ],
        )
        for m in found.part.missing
        if m.unit.code == row.area.code
    ]
    returned = [
        ReturnedReport(
            number=r.number,
            code=r.village.code,
            name=r.village.name,
            returned_at=r.returned_at.astimezone(data.reports.tz),
            officer=r.officer if caller.names else None,
        )
        for r in found.part.returned
        if r.unit.code == row.area.code
    ]
    counts = _counts(row.expected, row.reported, row.on_time, row.uncovered, row.returned)
    return UnitCompleteness(
        **counts.model_dump(),
        area=data.place(row.area.code),
        missing_villages=missing,
        returned_reports=returned,
    )


def _counts(expected: int, reported: int, on_time: int, uncovered: int, returned: int) -> Counts:
    return Counts(
        villages=expected + uncovered,
        expected=expected,
        reported=reported,
        on_time=on_time,
        late=reported - on_time,
        missing=expected - reported,
        uncovered=uncovered,
        returned=returned,
    )
