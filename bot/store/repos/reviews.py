"""The review's repositories (returned reports, checked periods) over the transaction core."""

from __future__ import annotations

from typing import cast

from bot.core.review_records import PeriodCheck, ReportReturn
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core

RETURNS = "report_returns"
CHECKS = "period_checks"


class ReturnsRepo:
    """A few hundred marks at most per period: queries scan the table."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables[RETURNS])

    def save(self, mark: ReportReturn) -> None:
        if mark.number <= 0:
            msg = f"a returned report needs its number, not {mark.number}"
            raise ValueError(msg)
        self._core.put(RETURNS, mark.number, mark)

    def get(self, number: int) -> ReportReturn | None:
        return cast(ReportReturn | None, self._table.get(number))

    def all(self) -> list[ReportReturn]:
        return sorted(cast(list[ReportReturn], self._table.values()), key=lambda m: m.number)

    def waiting(self) -> list[ReportReturn]:
        found = [m for m in self.all() if m.open]
        return sorted(found, key=lambda m: (m.returned_at, m.number))


class ChecksRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables[CHECKS])

    def save(self, check: PeriodCheck) -> None:
        self._core.put(CHECKS, (check.area, check.period), check)

    def get(self, area: str, period: str) -> PeriodCheck | None:
        return cast(PeriodCheck | None, self._table.get((area, period)))

    def remove(self, area: str, period: str) -> None:
        if self._table.get((area, period)) is not None:
            self._core.put(CHECKS, (area, period), None)

    def all(self) -> list[PeriodCheck]:
        return sorted(
            cast(list[PeriodCheck], self._table.values()), key=lambda c: (c.area, c.period)
        )
