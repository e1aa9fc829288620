"""The sandbox's chats in memory: what people and the bot said, and who is watching live.

This is the sandbox's "chat server": the adapter (bot/sandbox/adapter.py) sends into it, the
web page reads it and types into it. Nothing here reaches a real platform.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

MAX_MESSAGES = 500  # per chat; a training session never needs more
QUEUE_SIZE = 200  # events waiting for one slow page before it is dropped


@dataclass(slots=True)
class SandboxFile:
    url: str
    name: str
    kind: str  # photo | document
    mime: str

    def json(self) -> dict[str, str]:
        return {"url": self.url, "name": self.name, "kind": self.kind, "mime": self.mime}


@dataclass(slots=True)
class SandboxMessage:
    id: str
    chat: str
    from_bot: bool
    sender: str
    text: str
    at: float = field(default_factory=time.time)
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    file: SandboxFile | None = None
    reply_to: str | None = None
    pinned: bool = False
    edited: bool = False

    def json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "id": self.id, "from_bot": self.from_bot, "sender": self.sender, "text": self.text,
            "buttons": self.buttons, "file": self.file.json() if self.file else None,
            "reply_to": self.reply_to, "pinned": self.pinned, "edited": self.edited,
            "time": datetime.fromtimestamp(self.at, tz).strftime("%H:%M"),
        }  # fmt: skip


@dataclass(slots=True, eq=False)  # kept in a set by identity
class Watcher:
    chat: str
    user: str  # toasts go only to the person who pressed
    queue: asyncio.Queue[tuple[str, dict[str, Any]]]


class SandboxHub:
    """Every sandbox chat; shared by the sandbox's Telegram-like and Zalo-like bots."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.chats: dict[str, list[SandboxMessage]] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # id → (bytes, name, mime)
        self.group_admins: dict[str, set[str]] = {}  # chat key → user ids
        self.callbacks: dict[str, tuple[str, str]] = {}  # callback id → (chat key, user id)
        self._ids = itertools.count(1)
        self._watchers: set[Watcher] = set()

    def next_id(self) -> str:
        return str(next(self._ids))

    # --- messages ---------------------------------------------------------------------------

    def add(self, message: SandboxMessage) -> SandboxMessage:
        history = self.chats.setdefault(message.chat, [])
        history.append(message)
        del history[:-MAX_MESSAGES]
        self._notify(message.chat, "message", message.json(self.tz))
        return message

    def find(self, chat: str, message_id: str) -> SandboxMessage | None:
        return next((m for m in self.chats.get(chat, []) if m.id == message_id), None)

    def changed(self, message: SandboxMessage) -> None:
        self._notify(message.chat, "edit", message.json(self.tz))

    def history(self, chat: str) -> list[dict[str, Any]]:
        return [m.json(self.tz) for m in self.chats.get(chat, [])]

    def toast(self, callback_id: str, text: str) -> None:
        chat, user = self.callbacks.pop(callback_id, ("", ""))
        if chat and text:
            self._notify(chat, "toast", {"text": text}, user=user)

    def keep_file(self, data: bytes, name: str, mime: str) -> str:
        file_id = f"f{self.next_id()}"
        self.files[file_id] = (data, name, mime)
        return file_id

    def clear(self) -> None:
        """Forget every chat (the demo is being restored); open pages reload."""
        self.chats.clear()
        self.files.clear()
        self.callbacks.clear()
        for watcher in list(self._watchers):
            self._put(watcher, ("reset", {}))

    def close(self) -> None:
        """The sandbox is shutting down: every live page stream ends now."""
        for watcher in list(self._watchers):
            self._put(watcher, ("close", {}))

    # --- watching -------------------------------------------------------------------------

    def watch(self, chat: str, user: str) -> Watcher:
        watcher = Watcher(chat, user, asyncio.Queue(QUEUE_SIZE))
        self._watchers.add(watcher)
        return watcher

    def watching(self, watcher: Watcher) -> bool:
        return watcher in self._watchers

    def unwatch(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    def _notify(self, chat: str, event: str, data: dict[str, Any], *, user: str = "") -> None:
        for watcher in list(self._watchers):
            if watcher.chat == chat and (not user or watcher.user == user):
                self._put(watcher, (event, data))

    def _put(self, watcher: Watcher, item: tuple[str, dict[str, Any]]) -> None:
        try:
            watcher.queue.put_nowait(item)
        except asyncio.QueueFull:  # a page that stopped reading: it reloads when it comes back
            self._watchers.discard(watcher)
