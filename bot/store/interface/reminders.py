"""Repository Protocol of stored schedules (reminders and the digest)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Reminder


class RemindersRepo(Protocol):
    """Stored schedules: reminders from chat or config, and the digest."""

    def add(self, reminder: Reminder) -> Reminder:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, reminder_id: int) -> Reminder | None:
        """The reminder with this id, or None."""

    def save(self, reminder: Reminder) -> None:
        """Replace the reminder with the same id."""

    def all(self) -> list[Reminder]:
        """Every reminder (active or not), by id."""

    def claim_firing(self, reminder_id: int, due: datetime, *, by: str = "") -> bool:
        """Record that the reminder fired for the moment `due` (`by`: the instance); True the
        first time, False when this (reminder, due moment) was recorded before, whoever did
        it. Call it inside the atomic() block that enqueues the reminder's messages, so a
        rollback undoes the record too: a firing is then sent once, even across a failover."""
