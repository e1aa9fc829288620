"""State of the fake Zalo Bot API: bots, users, chats, messages, update queues and webhooks."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.flood import FloodLimiter

PRIVATE = "PRIVATE"
GROUP = "GROUP"
MAX_TEXT = 2000

_counter = itertools.count(1)


def hex_id(*parts: str) -> str:
    """An opaque 20-hex-digit id like Zalo's (`6ede9afa66b88fe6d6a9`), unique per call."""
    seed = ":".join((*parts, str(next(_counter))))
    return hashlib.sha1(seed.encode()).hexdigest()[:20]  # an id, not security


def now_ms() -> int:
    """Zalo dates are Unix time in milliseconds."""
    return int(time.time() * 1000)


class ApiError(Exception):
    """A refusal: becomes {"ok": false, "error_code", "description"} with an HTTP status."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        http_status: int | None = None,
        omit_code: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        # None: the fake's `errors_as_http_200` setting decides.
        self.http_status = http_status
        # Some measured answers carry no error_code, only the HTTP status (getWebhookInfo 404).
        self.omit_code = omit_code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "description": self.description}
        if not self.omit_code:
            body["error_code"] = self.code
        return body


@dataclass(frozen=True, slots=True)
class ZaloUser:
    """A person as one bot sees them: Zalo ids are scoped to the bot, so `id` is per bot."""

    display_name: str
    bot: str
    id: str

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "display_name": self.display_name, "is_bot": False}


@dataclass(frozen=True, slots=True)
class ZaloChat:
    """A chat handle: a private chat (id == the user's id) or a beta GROUP chat."""

    id: str
    chat_type: str
    bot: str
    title: str = ""

    @property
    def is_group(self) -> bool:
        return self.chat_type == GROUP

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "chat_type": self.chat_type}


@dataclass(frozen=True, slots=True)
class ZaloMessage:
    """A snapshot of one message in a chat (the bot's or a person's), for test assertions."""

    message_id: str
    date: int
    from_id: str
    from_bot: bool
    kind: str  # text, photo, sticker, voice, unsupported
    text: str = ""
    photo: str = ""
    caption: str = ""
    sticker: str = ""
    reply_to: str | None = None
    delivered: bool = True  # False: Zalo filtered it out (group without mention or reply)


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One POST the fake made to the bot's webhook, and how the bot answered."""

    url: str
    body: dict[str, Any]
    status: int  # 0 when the connection failed
    secret: str


@dataclass(slots=True)
class BotState:
    """One Zalo bot: its identity, plan limits, queued updates, webhook and sent count."""

    token: str
    name: str
    id: str
    monthly_quota: int
    max_users: int
    max_groups: int
    sent_count: int = 0
    received_count: int = 0  # messages Zalo passed on to the bot (a group's unheard ones not)
    users: list[ZaloUser] = field(default_factory=list)
    groups: list[ZaloChat] = field(default_factory=list)
    pending: deque[dict[str, Any]] = field(default_factory=deque)
    consumed: list[dict[str, Any]] = field(default_factory=list)
    redeliver_cursor: int = 0
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_updated_at: int = 0
    flood: FloodLimiter = field(default_factory=FloodLimiter)
    # getMe is documented as {id, account_name, account_type, can_join_groups}; only S9 models
    # `display_name` [1]: off unless a test asks for that source's shape.
    me_display_name: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    polls_open: int = 0  # getUpdates calls of this bot holding their long poll open now
    polls_started: int = 0  # getUpdates calls of this bot that ever opened a long poll
    last_poll: float | None = None  # loop time a getUpdates call of this bot last ended
    lost: list[dict[str, Any]] = field(default_factory=list)  # dropped while offline

    def quota_used(self, *, counts_incoming: bool) -> int:
        """The month's count: the bot's sends, plus what it received where that counts [X]."""
        return self.sent_count + (self.received_count if counts_incoming else 0)

    @property
    def account_name(self) -> str:
        return f"bot.{self.id[:8]}"

    def me(self) -> dict[str, Any]:
        me: dict[str, Any] = {
            "id": self.id,
            "account_name": self.account_name,
            "account_type": "BASIC",
            "can_join_groups": False,  # what BASIC bots report, even where beta groups work
        }
        if self.me_display_name:
            me["display_name"] = self.name
        return me

    def next_update(self, *, redeliver: bool) -> dict[str, Any] | None:
        """The update one getUpdates call returns now, or None when there is nothing to give."""
        if self.pending:
            update = self.pending.popleft()
            self.consumed.append(update)
            return update
        if redeliver and self.consumed:
            # As S7 measured: without an offset or ack, consumed updates keep coming back.
            update = self.consumed[self.redeliver_cursor % len(self.consumed)]
            self.redeliver_cursor += 1
            return update
        return None


@dataclass(slots=True)
class ChatState:
    """A chat's history and whether the bot may send there (it must have heard from it)."""

    chat: ZaloChat
    messages: list[ZaloMessage] = field(default_factory=list)
    reachable: bool = False

    def bot_message_ids(self) -> set[str]:
        return {m.message_id for m in self.messages if m.from_bot}


def update_json(event_name: str, message: dict[str, Any]) -> dict[str, Any]:
    """An update as getUpdates returns it and live webhooks post it (the flat shape)."""
    return {"event_name": event_name, "message": message}
