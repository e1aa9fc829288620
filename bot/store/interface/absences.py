"""Repository Protocol of absences: the days people are away (`/vang`)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from bot.core.absences import Absence


class AbsencesRepo(Protocol):
    """Days people are away; few at a time, so queries may scan."""

    def add(self, absence: Absence) -> Absence:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, absence_id: int) -> Absence | None:
        """The absence with this id, or None."""

    def save(self, absence: Absence) -> None:
        """Replace the absence with the same id; KeyError if there is none."""

    def remove(self, absence_id: int) -> None:
        """Delete the absence (cancelled); nothing if there is none."""

    def of_person(self, person_id: int) -> list[Absence]:
        """Every absence of the person, by first day."""

    def from_day(self, day: date) -> list[Absence]:
        """Absences not over by `day` (current and coming), by first day then id."""

    def away_on(self, day: date) -> frozenset[int]:
        """The ids of the people away on `day`."""
