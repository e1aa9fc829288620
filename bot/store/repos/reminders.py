"""Stored schedules (reminders and the digest), over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import cast

from bot.core.models import Reminder
from bot.store.engine.tables import ReminderFiring, Table, firing_key
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class RemindersRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["reminders"])

    def add(self, reminder: Reminder) -> Reminder:
        with self._core.atomic():
            stored = replace(reminder, id=next_id(self._core, "reminders"))
            self.save(stored)
        return stored

    def get(self, reminder_id: int) -> Reminder | None:
        return cast(Reminder | None, self._table.get(reminder_id))

    def save(self, reminder: Reminder) -> None:
        self._core.put("reminders", reminder.id, reminder)

    def all(self) -> list[Reminder]:
        return sorted(self._table.values(), key=lambda r: r.id)

    def claim_firing(self, reminder_id: int, due: datetime, *, by: str = "") -> bool:
        key = firing_key(reminder_id, due)
        if self._core.get("reminder_firings", key) is not None:
            return False
        fired = ReminderFiring(reminder_id, due, fired_at=self._now(), instance=by)
        self._core.put("reminder_firings", key, fired)
        return True

    @staticmethod
    def _now() -> datetime:
        # When it was recorded, for people reading the store: no rule depends on it.
        return datetime.now(UTC)
