"""The stored record of days a person is away (`/vang`): no reminders or chases reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Absence:
    """From `start` to `end` (both included, local dates) the person is away."""

    id: int
    person_id: int
    start: date
    end: date
    set_by: int  # the person who set it: themselves, or an officer of their area
    created_at: datetime
    note: str = ""  # what they wrote after the dates ("tập huấn ở huyện")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end
