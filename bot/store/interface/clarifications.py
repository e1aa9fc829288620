"""Repository Protocols of official clarifications and the rumour sightings they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Clarification, RumourSighting


class ClarificationsRepo(Protocol):
    """Official clarifications and their rumour phrases, numbered 1, 2, 3…"""

    def add(self, clarification: Clarification) -> Clarification:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, clarification_id: int) -> Clarification | None:
        """The clarification with this id, or None."""

    def save(self, clarification: Clarification) -> None:
        """Replace the clarification with the same id."""

    def all(self) -> list[Clarification]:
        """Every clarification (retired ones too), by id."""


class SightingsRepo(Protocol):
    """Group messages that repeated a registered rumour."""

    def add(self, sighting: RumourSighting) -> RumourSighting:
        """Store under the next id; returns it with its id."""

    def get(self, sighting_id: int) -> RumourSighting | None:
        """The sighting with this id, or None (also once purged)."""

    def save(self, sighting: RumourSighting) -> None:
        """Replace the sighting with the same id."""

    def since(self, moment: datetime) -> list[RumourSighting]:
        """The sightings at or after `moment`, by id."""
