"""State of the fake Telegram API: users, chats, bots, conversations, files, read-only views."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.flood import FloodLimiter

# The user Telegram shows as the sender when a group admin posts anonymously.
ANONYMOUS_ADMIN_ID = 1087968824


class ApiError(Exception):
    """A Bot API refusal: becomes {"ok": false, "error_code", "description", "parameters"}."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram account as tests create it (people, bots, GroupAnonymousBot)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "vi"
    is_bot: bool = False

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A handle on a chat: its id and type ("private", "group" or "supergroup")."""

    id: int
    type: str
    title: str = ""
    user: FakeUser | None = None

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    def json(self) -> dict[str, Any]:
        if self.user is not None:
            data: dict[str, Any] = {
                "id": self.id, "type": "private", "first_name": self.user.first_name,
            }  # fmt: skip
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A read-only snapshot of one message in a chat's history (the bot's or a person's)."""

    message_id: int
    from_id: int
    from_bot: bool
    text: str
    date: int
    reply_to_message_id: int | None
    reply_markup: dict[str, Any] | None
    document: dict[str, Any] | None
    photo: list[dict[str, Any]] | None
    pinned: bool
    edits: tuple[str, ...]
    deleted: bool
    raw: dict[str, Any]

    @property
    def buttons(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """The inline keyboard as rows of (label, callback_data); empty without one."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return tuple(
            tuple((b.get("text", ""), b.get("callback_data", b.get("url", ""))) for b in row)
            for row in rows
        )

    @property
    def force_reply(self) -> bool:
        return bool((self.reply_markup or {}).get("force_reply"))


# The bot's own messages, as `FakeTelegram.sent()` returns them.
SentMessage = ChatMessage


@dataclass(slots=True)
class StoredMessage:
    """One message in a conversation, with what happened to it since."""

    data: dict[str, Any]
    from_bot_id: int | None = None
    edits: list[str] = field(default_factory=list)
    pinned: bool = False
    deleted: bool = False
    revision: int = 0  # moved on by touch() whenever `data` changes in place
    _view: tuple[tuple[int, bool, bool, int], ChatMessage] | None = None

    def touch(self) -> None:
        """`data` changed (an edit): the next view is made anew."""
        self.revision += 1

    def view(self) -> ChatMessage:
        """The message as a snapshot; made once per state, since tests read chats often."""
        key = (self.revision, self.pinned, self.deleted, len(self.edits))
        if self._view is None or self._view[0] != key:
            self._view = (key, self._snapshot())
        return self._view[1]

    def _snapshot(self) -> ChatMessage:
        d = self.data
        reply = d.get("reply_to_message")
        return ChatMessage(
            message_id=d["message_id"],
            from_id=d["from"]["id"],
            from_bot=bool(d["from"].get("is_bot")),
            text=d.get("text", d.get("caption", "")),
            date=d["date"],
            reply_to_message_id=reply["message_id"] if reply else None,
            reply_markup=d.get("reply_markup") or d.get("_force_reply"),
            document=d.get("document"),
            photo=d.get("photo"),
            pinned=self.pinned,
            edits=tuple(self.edits),
            deleted=self.deleted,
            raw=json.loads(json.dumps({k: v for k, v in d.items() if not k.startswith("_")})),
        )

    def public(self) -> dict[str, Any]:
        """The JSON Telegram would put in an update or a result."""
        return {k: v for k, v in self.data.items() if not k.startswith("_")}


@dataclass(slots=True)
class Conversation:
    """The messages of one chat as one bot sees them (group chats share one conversation)."""

    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_id: int = 1

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


@dataclass(slots=True)
class ChatState:
    """Membership and rights in one chat."""

    chat: FakeChat
    creator: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bots: set[int] = field(default_factory=set)  # bot user ids currently in the group
    kicked: set[int] = field(default_factory=set)  # bot user ids removed from the group
    bot_is_admin: bool = False


@dataclass(slots=True)
class StoredFile:
    """A file the fake holds: uploaded by the bot or attached by a test user."""

    file_id: str
    unique_id: str
    path: str
    name: str
    mime: str
    data: bytes
    url: str = ""


@dataclass(slots=True)
class BotState:
    """One bot token: its account, update queue, webhook, menu and flood windows."""

    token: str
    user: FakeUser
    can_read_all_group_messages: bool
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 100_000
    webhook_url: str = ""
    webhook_secret: str = ""
    allowed_updates: list[str] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)  # users who wrote to the bot privately
    blocked_by: set[int] = field(default_factory=set)
    limiter: FloodLimiter = field(default_factory=FloodLimiter)
    poll_generation: int = 0
    polls_waiting: int = 0  # getUpdates calls currently blocked in their long poll
    webhook_generation: int = 0
    signal: asyncio.Event = field(default_factory=asyncio.Event)
    webhook_task: asyncio.Task[None] | None = None
    webhook_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # What getWebhookInfo reports about the last failed delivery (Unix time, Telegram's words).
    last_error_date: int = 0
    last_error_message: str = ""

    def notify(self) -> None:
        """Wake every long poll and the webhook sender; later waiters get a fresh event."""
        self.signal.set()
        self.signal = asyncio.Event()
