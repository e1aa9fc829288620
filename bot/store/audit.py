"""The audit trail, over the transaction core of every backend: append-only, read by period."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.admin_records import AuditEntry
from bot.store.core import Core
from bot.store.repos import next_id
from bot.store.tables import Table


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
