"""Group bindings, pending prompts and the exactly-once intake, over the transaction core."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.core.messages import Incoming
from bot.core.models import GroupBinding, Prompt
from bot.store.engine.tables import InboundMark, InboxEntry, Table
from bot.store.engine.transaction import Core


class GroupsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["groups"])

    def save(self, binding: GroupBinding) -> None:
        self._core.put("groups", binding.chat_key, binding)

    def get(self, chat_key: str) -> GroupBinding | None:
        return cast(GroupBinding | None, self._table.get(chat_key))

    def all(self) -> list[GroupBinding]:
        return sorted(self._table.values(), key=lambda g: g.chat_key)

    def remove(self, chat_key: str) -> None:
        if self._table.get(chat_key) is not None:
            self._core.put("groups", chat_key, None)


class PromptsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["prompts"])

    def set(self, prompt: Prompt) -> None:
        self._core.put("prompts", (prompt.chat_key, prompt.user_key), prompt)

    def get(self, chat_key: str, user_key: str) -> Prompt | None:
        return cast(Prompt | None, self._table.get((chat_key, user_key)))

    def clear(self, chat_key: str, user_key: str) -> None:
        if self._table.get((chat_key, user_key)) is not None:
            self._core.put("prompts", (chat_key, user_key), None)

    def take_expired(self, *, now: datetime) -> list[Prompt]:
        gone = [
            p for p in self._table.values() if p.expires_at is not None and p.expires_at <= now
        ]
        with self._core.atomic():
            for prompt in gone:
                self._core.put("prompts", (prompt.chat_key, prompt.user_key), None)
        return gone


class InboundRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["inbound"])

    def seen(self, key: str) -> bool:
        return self._table.get(key) is not None

    def mark(self, key: str, *, at: datetime) -> None:
        with self._core.atomic():
            self._core.put("inbound", key, InboundMark(key, at))
            if self._core.get("inbox", key) is not None:
                self._core.put("inbox", key, None)

    def receive(self, key: str, incoming: Incoming, *, at: datetime) -> bool:
        if self._table.get(key) is not None or self._core.get("inbox", key) is not None:
            return False
        self._core.put("inbox", key, InboxEntry(key, incoming, at))
        return True

    def waiting(self) -> list[Incoming]:
        return [e.incoming for e in self._entries()]

    def ahead(self, chat_key: str, key: str) -> list[Incoming]:
        own: InboxEntry | None = self._core.get("inbox", key)
        if own is None:
            return []
        mark = (own.at, own.key)
        return [
            e.incoming
            for e in self._entries()
            if e.incoming.chat.key == chat_key and (e.at, e.key) < mark
        ]

    def _entries(self) -> list[InboxEntry]:
        """The inbox in arrival order (by time received, then key)."""
        entries = cast(Table, self._core.tables["inbox"]).values()
        return sorted(entries, key=lambda e: (e.at, e.key))

    def purge(self, *, before: datetime) -> int:
        gone = [m.key for m in self._table.values() if m.at < before]
        with self._core.atomic():
            for key in gone:
                self._core.put("inbound", key, None)
        return len(gone)
