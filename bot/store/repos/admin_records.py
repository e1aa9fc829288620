"""The records of running the bot (see bot.core.admin_records) over the transaction core: the
audit trail (append-only, read by period), invite codes of imported people, and the access log
of personal data (append, read, drop by subject)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.admin_records import AccessEntry, AuditEntry, Invite
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class AuditRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["audit"])

    def add(self, entry: AuditEntry) -> AuditEntry:
        with self._core.atomic():
            stored = replace(entry, id=next_id(self._core, "audit"))
            self._core.put("audit", stored.id, stored)
        return stored

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        entries = cast(list[AuditEntry], list(self._table.values()))
        return sorted((e for e in entries if start <= e.at < end), key=lambda e: e.id)

    def recent(self, limit: int) -> list[AuditEntry]:
        entries = cast(list[AuditEntry], list(self._table.values()))
        return sorted(entries, key=lambda e: e.id)[-limit:] if limit > 0 else []

    def remove_before(self, moment: datetime) -> int:
        old = [e for e in cast(list[AuditEntry], list(self._table.values())) if e.at < moment]
        with self._core.atomic():
            for entry in old:
                self._core.put("audit", entry.id, None)
        return len(old)


class InvitesRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["invites"])

    def add(self, invite: Invite) -> None:
        self._core.put("invites", invite.code, invite)

    def get(self, code: str) -> Invite | None:
        return cast(Invite | None, self._table.get(code))

    def save(self, invite: Invite) -> None:
        self._core.put("invites", invite.code, invite)

    def all(self) -> list[Invite]:
        return cast(list[Invite], self._table.values())


class AccessLogRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["access_log"])

    def add(self, entry: AccessEntry) -> AccessEntry:
        with self._core.atomic():
            stored = replace(entry, id=next_id(self._core, "access_log"))
            self._core.put("access_log", stored.id, stored)
        return stored

    def all(self) -> list[AccessEntry]:
        return sorted(cast(list[AccessEntry], self._table.values()), key=lambda e: e.id)

    def about(self, subject: str) -> list[AccessEntry]:
        return [e for e in self.all() if e.subject == subject]

    def remove_about(self, subject: str) -> int:
        gone = self.about(subject)
        with self._core.atomic():
            for entry in gone:
                self._core.put("access_log", entry.id, None)
        return len(gone)

    def remove_before(self, moment: datetime) -> int:
        gone = [e for e in self.all() if e.at < moment]
        with self._core.atomic():
            for entry in gone:
                self._core.put("access_log", entry.id, None)
        return len(gone)
