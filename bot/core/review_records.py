"""The stored marks of the officers' review (bot/features/review): a report returned to its
collaborator with a reason, and a village's period an officer marked as checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReturnState(StrEnum):
    """Where a returned report stands."""

    OPEN = "open"  # waiting for the collaborator's correction
    CORRECTED = "corrected"  # a new version came after the return
    ACCEPTED = "accepted"  # an officer took it as it was
    RETRACTED = "retracted"  # it was retracted meanwhile


@dataclass(frozen=True, slots=True)
class ReportReturn:
    """Report `number` sent back by an officer: one record per report (a second return replaces
    the first; the audit trail keeps them all). `reason` is what the officer typed."""

    number: int  # the report's short number (Report.number): the key
    report_id: str
    type: str
    area: str  # the village
    period: str
    version: int  # the version the officer returned
    officer: int  # person id of who returned it
    collaborator: int  # person id of who was asked to correct it
    reason: str
    returned_at: datetime
    state: ReturnState = ReturnState.OPEN
    told: str = ""  # the chat key the collaborator was told in; "" when nobody could be
    closed_at: datetime | None = None
    closed_by: int | None = None  # who corrected, accepted or retracted it
    closed_version: int = 0  # the version that closed it (a correction's), else the one accepted

    @property
    def open(self) -> bool:
        return self.state is ReturnState.OPEN

    def open_at(self, moment: datetime) -> bool:
        """Whether it stood returned (and not yet closed) at `moment`."""
        if self.returned_at > moment:
            return False
        return self.closed_at is None or self.closed_at > moment


@dataclass(frozen=True, slots=True)
class PeriodCheck:
    """A village's period (every report type of that period) marked "đã duyệt" by an officer;
    a change to one of its reports afterwards is flagged to that officer."""

    area: str  # the village
    period: str  # a period key: 2026-11, 2026-W45, 2026-Q4
    officer: int
    checked_at: datetime
    reports: int = 0  # counting reports when it was checked
    changes: int = 0  # reports stored, corrected or retracted since (each one flagged)
