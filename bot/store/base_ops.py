"""Repository Protocols for the records of running the bot (see bot.core.admin_records)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

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


class PersonalDataRepo(Protocol):
    """Personal data across tables, for the retention purge, `people export` and `people erase`.

    Every method changes only what it names and commits in one block."""

    def about(self, person_id: int) -> dict[str, Any]:
        """Everything stored about one person, as JSON-ready lists per table."""

    def erase(
        self, person_id: int, *, at: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> dict[str, Any]:
        """Remove the person's identity everywhere, keeping report numbers; counts per table
        and "files": the stored file ids that belonged to them (for the caller to delete)."""

    def scrub_reports(
        self, *, since: float, before: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> tuple[int, list[str]]:
        """Blank the text fields and photo of report versions received in [since, before);
        the number changed and the photo file ids dropped."""

    def scrub_questions(self, *, before: datetime) -> int:
        """Blank the text and answer of questions asked before `before`."""

    def purge_inbox(self, *, before: datetime) -> int:
        """Drop stored incoming events taken in before `before`."""

    def scrub_outbox(self, *, before: datetime) -> int:
        """Blank the text of finished outbox items created before `before`."""

    def scrub_sightings(self, *, before: datetime) -> int:
        """Blank the sender and text of rumour sightings seen before `before`."""
