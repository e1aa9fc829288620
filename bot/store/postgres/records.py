"""Generic repositories with one query each done in the database: what would otherwise read a
whole table that grows with the deployment (registrations, the audit trail), and taking expired
prompts, which two instances must not both take."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from psycopg.types.json import Jsonb

from bot.core.admin_records import AuditEntry
from bot.core.models import Prompt, Registration, RegistrationStatus
from bot.store.postgres.core import PgCore
from bot.store.postgres.tables import PgTable
from bot.store.repos.admin_records import AuditRepo
from bot.store.repos.chats import PromptsRepo
from bot.store.repos.people import RegistrationsRepo


class PgPromptsRepo(PromptsRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._db = core.db
        self._prompts = cast(PgTable, core.tables["prompts"])

    def take_expired(self, *, now: datetime) -> list[Prompt]:
        # One statement: of two instances taking at once, each prompt goes to one.
        gone = self._db.rows(
            "DELETE FROM prompts WHERE doc->>'expires_at' IS NOT NULL "
            "AND (doc->>'expires_at')::timestamptz <= %s RETURNING doc",
            [now],
        )
        return sorted(
            (self._prompts.decode(doc) for (doc,) in gone), key=lambda p: (p.chat_key, p.user_key)
        )


class PgRegistrationsRepo(RegistrationsRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._regs = cast(PgTable, core.tables["registrations"])

    def pending(self) -> list[Registration]:
        pattern = Jsonb({"status": RegistrationStatus.PENDING.value})
        return self._regs.where("doc::jsonb @> %s", [pattern], order="id")

    def for_person(self, person_id: int) -> list[Registration]:
        return self._regs.where("doc::jsonb @> %s", [Jsonb({"person_id": person_id})], order="id")


class PgAuditRepo(AuditRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._entries = cast(PgTable, core.tables["audit"])

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        return self._entries.where(
            "(doc->>'at')::timestamptz >= %s AND (doc->>'at')::timestamptz < %s",
            [start, end],
            order="id",
        )

    def recent(self, limit: int) -> list[AuditEntry]:
        if limit <= 0:
            return []
        newest = self._entries.where("TRUE", order=f"id DESC LIMIT {int(limit)}")
        return newest[::-1]
