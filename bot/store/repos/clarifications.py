"""Official clarifications and the rumour sightings they answer, over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.models import Clarification, RumourSighting
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class ClarificationsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["clarifications"])

    def add(self, clarification: Clarification) -> Clarification:
        with self._core.atomic():
            stored = replace(clarification, id=next_id(self._core, "clarifications"))
            self.save(stored)
        return stored

    def get(self, clarification_id: int) -> Clarification | None:
        return cast(Clarification | None, self._table.get(clarification_id))

    def save(self, clarification: Clarification) -> None:
        self._core.put("clarifications", clarification.id, clarification)

    def all(self) -> list[Clarification]:
        return sorted(self._table.values(), key=lambda c: c.id)


class SightingsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["sightings"])

    def add(self, sighting: RumourSighting) -> RumourSighting:
        with self._core.atomic():
            stored = replace(sighting, id=next_id(self._core, "sightings"))
            self.save(stored)
        return stored

    def get(self, sighting_id: int) -> RumourSighting | None:
        return cast(RumourSighting | None, self._table.get(sighting_id))

    def save(self, sighting: RumourSighting) -> None:
        self._core.put("sightings", sighting.id, sighting)

    def since(self, moment: datetime) -> list[RumourSighting]:
        # Ids grow with time, so the newest are at the end; a day's sightings are few.
        found = [s for s in self._table.values() if s.at >= moment]
        return sorted(found, key=lambda s: s.id)
