"""The sandbox adapter: a Telegram-like and a Zalo-like bot whose chats live in a SandboxHub.

It implements the same Platform interface as the real adapters, so the router, handlers and
services run unchanged; it only ever talks to the hub, never to a real chat.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.messages import (
    Attachment,
    Button,
    ChatKind,
    ChatRef,
    Incoming,
    Outgoing,
    ReplyInfo,
    SentRef,
    UpdateKind,
    UserRef,
)
from bot.core.platform import BadRequest, BotCommand, Capabilities, Sink
from bot.core.text import split_text
from bot.sandbox.hub import SandboxFile, SandboxHub, SandboxMessage

if TYPE_CHECKING:
    from aiohttp import web

PLATFORM = "sandbox"
BOT_NAME = "Trợ lý dân số"
CAPS = {
    # Like Telegram: buttons, edits, files, groups, pins, 4096 characters (1024 in a caption).
    "telegram": Capabilities(
        max_text=4096, buttons=True, edits=True, files=True, groups=True, pins=True
    ),
    # Like Zalo's Bot API: private chats only, no buttons, no edits, files only by URL.
    "zalo": Capabilities(
        max_text=2000, buttons=False, edits=False, files=False, groups=False, pins=False
    ),
}
MAX_CAPTION = 1024


def sandbox_chat(app: str, chat_id: str, kind: ChatKind) -> ChatRef:
    return ChatRef(PLATFORM, app, chat_id, kind)


class SandboxPlatform:
    """One imitated app ("telegram" or "zalo") over the shared hub."""

    name = PLATFORM
    mode = "local"

    def __init__(self, app: str, hub: SandboxHub) -> None:
        self.bot = app
        self.caps = CAPS[app]
        self.hub = hub
        self.last_receive_at: float | None = None
        self._sink: Sink | None = None
        self._updates = itertools.count(1)

    @property
    def receiving(self) -> bool:
        return self._sink is not None

    async def start(self, sink: Sink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._sink = None

    async def close(self) -> None:
        self._sink = None

    def routes(self) -> list[web.RouteDef]:
        return []  # the sandbox's web routes belong to bot.sandbox.web

    # --- people acting (called by the sandbox page) --------------------------------------------

    async def person_says(
        self, user: str, name: str, chat: ChatRef, text: str, *, reply_to: str | None = None
    ) -> SandboxMessage:
        replied = self.hub.find(chat.key, reply_to) if reply_to else None
        message = self.hub.add(
            SandboxMessage(self.hub.next_id(), chat.key, False, name, text,
                           reply_to=replied.id if replied else None)
        )  # fmt: skip
        reply = (
            ReplyInfo(replied.id, replied.from_bot, replied.text) if replied is not None else None
        )
        # Telegram's privacy mode: in a group the bot hears commands and replies to itself.
        addressed = (
            chat.kind is ChatKind.PRIVATE
            or text.startswith("/")
            or (reply is not None and reply.from_bot)
        )
        await self._deliver(
            Incoming(
                update_id=f"sandbox:{self.bot}:{next(self._updates)}:{time.time_ns()}",
                kind=UpdateKind.MESSAGE, chat=chat, sender=UserRef(PLATFORM, self.bot, user),
                sender_name=name, text=text, date=datetime.now(UTC), message_id=message.id,
                reply_to=reply, mentions_bot=addressed,
            )
        )  # fmt: skip
        return message

    async def press(self, user: str, name: str, chat: ChatRef, message_id: str, data: str) -> None:
        callback_id = f"cb{self.hub.next_id()}"
        self.hub.callbacks[callback_id] = (chat.key, user)
        await self._deliver(
            Incoming(
                update_id=f"sandbox:{self.bot}:{next(self._updates)}:{time.time_ns()}",
                kind=UpdateKind.CALLBACK, chat=chat, sender=UserRef(PLATFORM, self.bot, user),
                sender_name=name, text="", date=datetime.now(UTC), message_id=message_id,
                callback_id=callback_id, callback_data=data, mentions_bot=True,
            )
        )  # fmt: skip

    async def _deliver(self, inc: Incoming) -> None:
        if self._sink is None:
            msg = "the sandbox is not running"
            raise RuntimeError(msg)
        self.last_receive_at = time.monotonic()
        await self._sink(inc)

    # --- the bot acting ---------------------------------------------------------------------

    async def send(self, out: Outgoing) -> SentRef:
        if out.poll:
            msg = "the sandbox has no polls: ask in text"
            raise BadRequest(msg)
        if out.chat.kind is ChatKind.GROUP and not self.caps.groups:
            msg = "zalo bots cannot write in groups"
            raise BadRequest(msg)
        text = out.text.strip()
        parts = split_text(text, self.caps.max_text) if text else []
        buttons = [[{"label": b.label, "data": b.data} for b in row] for row in out.buttons]
        ids: list[str] = []
        if out.file is not None and not self.caps.files and out.file.kind != "photo":
            # Like Zalo, which has no documents: the link goes in the text.
            if not out.file.url:
                msg = "zalo can send a file only by its public URL"
                raise BadRequest(msg)
            parts = split_text(f"{text}\n{out.file.url}".strip(), self.caps.max_text)
        elif out.file is not None:
            file, caption = self._file(out, text)
            if caption:
                parts = []
            ids.append(self._post(out, caption, file=file, buttons=[] if parts else buttons).id)
        elif not parts:
            msg = "nothing to send: empty text and no file"
            raise BadRequest(msg)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            ids.append(self._post(out, part, buttons=buttons if last else [], first=not ids).id)
        return SentRef(out.chat, tuple(ids))

    def _file(self, out: Outgoing, text: str) -> tuple[SandboxFile, str]:
        file = out.file
        assert file is not None
        if not self.caps.files:
            # Like Zalo: only a photo by its URL; anything else is a link in the text.
            if not file.url:
                msg = "zalo can send a file only by its public URL"
                raise BadRequest(msg)
            return SandboxFile(file.url, file.name, "photo", file.mime), text
        data = file.data if file.data is not None else Path(file.path).read_bytes()
        file_id = self.hub.keep_file(data, file.name, file.mime or "application/octet-stream")
        url = f"/sandbox/api/files/{file_id}"
        caption = text if len(text) <= MAX_CAPTION else ""
        return SandboxFile(url, file.name, file.kind, file.mime), caption

    def _post(
        self,
        out: Outgoing,
        text: str,
        *,
        file: SandboxFile | None = None,
        buttons: list[list[dict[str, str]]] | None = None,
        first: bool = True,
    ) -> SandboxMessage:
        return self.hub.add(
            SandboxMessage(
                self.hub.next_id(), out.chat.key, True, BOT_NAME, text, file=file,
                buttons=buttons or [], reply_to=(out.reply_to or None) if first else None,
            )
        )  # fmt: skip

    def _own(self, chat: ChatRef, message_id: str) -> SandboxMessage:
        message = self.hub.find(chat.key, message_id)
        if message is None or not message.from_bot:
            msg = "message to edit not found"
            raise BadRequest(msg)
        return message

    async def edit(
        self,
        chat: ChatRef,
        message_id: str,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> None:
        if not self.caps.edits:
            msg = "zalo cannot edit messages"
            raise BadRequest(msg)
        message = self._own(chat, message_id)
        message.text = text
        message.buttons = [[{"label": b.label, "data": b.data} for b in row] for row in buttons]
        message.edited = True
        self.hub.changed(message)

    async def edit_buttons(
        self, chat: ChatRef, message_id: str, buttons: tuple[tuple[Button, ...], ...]
    ) -> None:
        if not self.caps.buttons:
            msg = "zalo has no buttons to edit"
            raise BadRequest(msg)
        message = self._own(chat, message_id)
        message.buttons = [[{"label": b.label, "data": b.data} for b in row] for row in buttons]
        self.hub.changed(message)

    async def pin(self, chat: ChatRef, message_id: str) -> None:
        if not self.caps.pins:
            msg = "zalo bots cannot pin messages"
            raise BadRequest(msg)
        message = self._own(chat, message_id)
        message.pinned = True
        self.hub.changed(message)

    async def answer_callback(self, callback_id: str, text: str = "") -> None:
        self.hub.toast(callback_id, text)

    async def download(self, attachment: Attachment) -> bytes:
        msg = "the sandbox takes no uploads"
        raise BadRequest(msg)

    async def is_group_admin(self, chat: ChatRef, user: UserRef) -> bool | None:
        return user.id in self.hub.group_admins.get(chat.key, set())

    async def hears_group(self, chat: ChatRef | None = None) -> bool | None:
        return True  # the page hands the bot every message typed in a group

    async def set_commands(self, commands: dict[str, list[BotCommand]]) -> None:
        return None
