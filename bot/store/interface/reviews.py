"""Repository Protocols of the officers' review: returned reports and checked periods."""

from __future__ import annotations

from typing import Protocol

from bot.core.review_records import PeriodCheck, ReportReturn


class ReturnsRepo(Protocol):
    """Returned reports, one record per report number (a second return replaces the first)."""

    def save(self, mark: ReportReturn) -> None:
        """Store the mark of report `mark.number`, replacing any earlier one."""

    def get(self, number: int) -> ReportReturn | None:
        """The mark of report `number`, or None if it was never returned."""

    def all(self) -> list[ReportReturn]:
        """Every mark, open or closed, by report number."""

    def waiting(self) -> list[ReportReturn]:
        """The open marks (returned and not yet corrected, accepted or retracted), oldest
        return first."""


class ChecksRepo(Protocol):
    """Periods of villages an officer marked as checked, by (village, period key)."""

    def save(self, check: PeriodCheck) -> None:
        """Store the check of (`check.area`, `check.period`), replacing any earlier one."""

    def get(self, area: str, period: str) -> PeriodCheck | None:
        """The check of this village and period, or None."""

    def remove(self, area: str, period: str) -> None:
        """Forget the check of this village and period; nothing if there is none."""

    def all(self) -> list[PeriodCheck]:
        """Every check, by village then period."""
