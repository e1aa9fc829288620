"""Neutral message types shared by every platform adapter and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChatKind(StrEnum):
    """Whether a chat is one person talking to the bot or a group."""

    PRIVATE = "private"
    GROUP = "group"


class UpdateKind(StrEnum):
    """What happened: a new message, an edit of one, or a button press."""

    MESSAGE = "message"
    EDITED = "edited"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person's identity on one platform: (platform, bot, user id).

    Telegram user ids are global, so `bot` is "" there; Zalo user ids are scoped to the
    bot that saw them, so the bot's configured name is part of the identity.
    """

    platform: str
    bot: str
    id: str

    @property
    def key(self) -> str:
        """The text form used in config and storage: `telegram:42`, `zalo:bot1:abc`."""
        if self.bot:
            return f"{self.platform}:{self.bot}:{self.id}"
        return f"{self.platform}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> UserRef:
        """Read the text form back; raise ValueError when it is not one."""
        parts = key.strip().split(":")
        if len(parts) == 2 and parts[0] == "telegram" and parts[1]:
            return cls("telegram", "", parts[1])
        if len(parts) == 3 and all(parts):
            return cls(parts[0], parts[1], parts[2])
        msg = f"not a user key: {key!r} (expected telegram:<id> or zalo:<bot>:<id>)"
        raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on one platform and bot."""

    platform: str
    bot: str
    id: str
    kind: ChatKind

    @property
    def key(self) -> str:
        """A stable text key for storage."""
        return f"{self.platform}:{self.bot}:{self.id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with an incoming message (photo, document, voice, sticker)."""

    kind: str
    file_id: str = ""
    url: str = ""
    name: str = ""
    mime: str = ""
    size: int = 0


@dataclass(frozen=True, slots=True)
class ReplyInfo:
    """The message an incoming message replies to."""

    message_id: str
    from_bot: bool
    text: str = ""
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did that reaches the bot, already free of any platform object."""

    update_id: str
    kind: UpdateKind
    chat: ChatRef
    sender: UserRef
    sender_name: str
    text: str
    date: datetime
    message_id: str = ""
    reply_to: ReplyInfo | None = None
    attachments: tuple[Attachment, ...] = ()
    callback_id: str = ""
    callback_data: str = ""
    mentions_bot: bool = False
    sender_is_bot: bool = False
    sender_anonymous: bool = (
        False  # posted "as the group" (Telegram anonymous admin): no person known
    )
    language: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A button: `data` is its callback payload, `typed` its twin where no buttons exist."""

    label: str
    data: str
    typed: str = ""


@dataclass(frozen=True, slots=True)
class OutFile:
    """A file to send: bytes in memory or a path on disk, plus an optional public URL."""

    name: str
    kind: str = "document"
    data: bytes | None = None
    path: str = ""
    url: str = ""
    mime: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the bot sends. Buttons degrade to numbered text where a platform has none."""

    chat: ChatRef
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to: str = ""
    file: OutFile | None = None
    force_reply: bool = False
    silent: bool = False
    # A native poll where the platform has one (Capabilities.polls): `text` is the question and
    # these are its options; voters' choices come back as callbacks "poll:<poll id>:<options>".
    poll: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SentRef:
    """What a platform answered to a send: the ids of the message(s) it became."""

    chat: ChatRef
    message_ids: tuple[str, ...] = field(default_factory=tuple)
    poll_id: str = ""  # the platform's id of the poll it sent, if it was one

    @property
    def first_id(self) -> str:
        return self.message_ids[0] if self.message_ids else ""
