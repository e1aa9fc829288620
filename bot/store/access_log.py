"""The access log of personal data, over the transaction core: append, read, drop by subject."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.admin_records import AccessEntry
from bot.store.core import Core
from bot.store.repos import next_id
from bot.store.tables import Table


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
