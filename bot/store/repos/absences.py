"""Absences (`/vang`), over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import cast

from bot.core.absences import Absence
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id

TABLE = "absences"


class AbsencesRepo:
    """Few rows (a person's coming days away), so queries scan the table."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables[TABLE])

    def add(self, absence: Absence) -> Absence:
        with self._core.atomic():
            stored = replace(absence, id=next_id(self._core, TABLE))
            self._core.put(TABLE, stored.id, stored)
        return stored

    def get(self, absence_id: int) -> Absence | None:
        return cast(Absence | None, self._table.get(absence_id))

    def save(self, absence: Absence) -> None:
        if self._table.get(absence.id) is None:
            msg = f"absence {absence.id} is not stored (add assigns ids)"
            raise KeyError(msg)
        self._core.put(TABLE, absence.id, absence)

    def remove(self, absence_id: int) -> None:
        if self._table.get(absence_id) is not None:
            self._core.put(TABLE, absence_id, None)

    def _all(self) -> list[Absence]:
        return sorted(cast(list[Absence], self._table.values()), key=lambda a: (a.start, a.id))

    def of_person(self, person_id: int) -> list[Absence]:
        return [a for a in self._all() if a.person_id == person_id]

    def from_day(self, day: date) -> list[Absence]:
        return [a for a in self._all() if a.end >= day]

    def away_on(self, day: date) -> frozenset[int]:
        return frozenset(a.person_id for a in self._all() if a.covers(day))
