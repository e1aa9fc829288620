"""Repository Protocols of the records of running the bot (see bot.core.admin_records): the audit
trail, invite codes and the access log of personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.admin_records import AccessEntry, AuditEntry, Invite


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


class InvitesRepo(Protocol):
    """One-time invite codes of imported people, by code; kept after use for the record."""

    def add(self, invite: Invite) -> None:
        """Store a new invite (DuplicateKeyError-free: codes are checked unique by the caller)."""

    def get(self, code: str) -> Invite | None:
        """The invite with this code, used or not, or None."""

    def save(self, invite: Invite) -> None:
        """Replace the invite with the same code."""

    def all(self) -> list[Invite]:
        """Every invite, in no particular order."""


class AccessLogRepo(Protocol):
    """Looks at personal data (exports, downloads); removed by retention or by erase."""

    def add(self, entry: AccessEntry) -> AccessEntry:
        """Store `entry` under the next id (its own id is ignored) and return it."""

    def all(self) -> list[AccessEntry]:
        """Every entry, oldest first."""

    def about(self, subject: str) -> list[AccessEntry]:
        """The entries whose subject is `subject` ("person:12"), oldest first."""

    def remove_about(self, subject: str) -> int:
        """Drop the entries about `subject`; how many went."""

    def remove_before(self, moment: datetime) -> int:
        """Drop entries older than `moment` (retention); how many went."""
