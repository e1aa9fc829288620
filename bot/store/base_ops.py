"""Repository Protocols for the records of running the bot (see bot.models_ops)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.models_ops import AuditEntry


class AuditRepo(Protocol):
    """Privileged actions, append-only; removed only by the retention purge."""

    def add(self, entry: AuditEntry) -> AuditEntry:
        """Store `entry` under the next id (its own id is ignored) and return it."""

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """Entries with start <= at < end, oldest first."""

    def recent(self, limit: int) -> list[AuditEntry]:
        """The newest `limit` entries, oldest first."""

    def remove_before(self, moment: datetime) -> int:
        """Drop entries older than `moment` (retention); how many went."""
