"""Zalo update JSON → neutral Incoming, and the in-memory memory of message ids already handled."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from bot.core.messages import Attachment, ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.platforms.zalo.mentions import Mentions

log = logging.getLogger(__name__)

PLATFORM = "zalo"
# Dates are documented in milliseconds; a value below this is taken as seconds, defensively.
_MS_THRESHOLD = 10**11


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The update objects in a poll result or webhook body, whatever its shape.

    getUpdates documents one object per call; defensive clients (S13) also accept a list.
    Webhooks come flat `{event_name, message}` (live traffic) or wrapped `{ok, result}` (docs).
    """
    if isinstance(body, list):
        return [u for item in body for u in unwrap(item)]
    if not isinstance(body, dict):
        return []
    if body.get("ok") is True and "result" in body:
        return unwrap(body["result"])
    return [body]


def message_key(update: dict[str, Any]) -> str:
    """The id to dedupe on: the message id (Zalo has no update id); "" when there is none."""
    message = update.get("message")
    if isinstance(message, dict) and message.get("message_id"):
        return str(message["message_id"])
    return ""


def is_own(update: dict[str, Any], *, bot_id: str) -> bool:
    """Whether the update is the bot's own message coming back (S5, S13)."""
    message = update.get("message")
    sender = message.get("from") if isinstance(message, dict) else None
    if not isinstance(sender, dict):
        return False
    return bool(sender.get("is_bot")) or (bool(bot_id) and str(sender.get("id")) == bot_id)


def to_incoming(
    update: dict[str, Any], *, bot: str, bot_name: str = "", mentions: Mentions | None = None
) -> Incoming | None:
    """The neutral form of one update, or None for events that carry nothing to handle."""
    event = str(update.get("event_name") or "")
    message = update.get("message")
    key = message_key(update)
    if not isinstance(message, dict) or not key:
        # e.g. message.unsupported.received without a message, "bot added to group" (S14).
        log.info("zalo event without a message ignored: %s", event or "?")
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender_id = str(sender.get("id") or "")
    chat_id = str(chat.get("id") or sender_id)
    if not sender_id or not chat_id:
        log.info("zalo event without sender ignored: %s", event)
        return None
    content = _content(event, message)
    if content is None:
        log.info("zalo event kind not handled: %s", event)
        return None
    text, attachments = content
    # The group value of chat_type is not documented for sure [X]: anything but PRIVATE, or a
    # chat id different from the sender's, is a group.
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    is_group = chat_type != "PRIVATE" or chat_id != sender_id
    if is_group:
        text = strip_mention(text, bot_name, mentions)
    return Incoming(
        update_id=key,
        kind=UpdateKind.MESSAGE,
        chat=ChatRef(PLATFORM, bot, chat_id, ChatKind.GROUP if is_group else ChatKind.PRIVATE),
        sender=UserRef(PLATFORM, bot, sender_id),
        sender_name=str(sender.get("display_name") or sender.get("name") or ""),
        text=text,
        date=_date(message.get("date")),
        message_id=key,
        attachments=attachments,
        # Zalo passes a group message on only when it mentions the bot or replies to it.
        mentions_bot=is_group,
        sender_is_bot=bool(sender.get("is_bot")),
    )


def strip_mention(text: str, bot_name: str = "", mentions: Mentions | None = None) -> str:
    """`text` without the bot's "@mention" (bot.platforms.zalo.mentions): wherever it stands,
    by the known name, else by the name learned from a leading mention."""
    if mentions is None:
        mentions = Mentions()
    if bot_name:
        mentions.know(bot_name)
    return mentions.strip(text)


def _content(event: str, message: dict[str, Any]) -> tuple[str, tuple[Attachment, ...]] | None:
    """(text, attachments) for the event kinds the bot understands."""
    kind = event.removeprefix("message.").removesuffix(".received")
    text = str(message.get("text") or "")
    if kind == "text" or (not event and text):
        return text, ()
    if kind == "image":
        # Sources disagree [X]: `photo_url` (S4, S8) or `photo` as a string (S12).
        url = message.get("photo_url") or message.get("photo")
        caption = str(message.get("caption") or text)
        return caption, (Attachment(kind="photo", url=url if isinstance(url, str) else ""),)
    if kind == "sticker":
        sticker = Attachment(
            kind="sticker",
            file_id=str(message.get("sticker") or ""),
            url=str(message.get("url") or ""),
        )
        return "", (sticker,)
    if kind == "voice":
        return "", (Attachment(kind="voice", url=str(message.get("voice_url") or "")),)
    if kind == "link":
        return text or str(message.get("url") or ""), ()
    if kind == "unsupported":
        return "", (Attachment(kind="unsupported"),)
    return None


def _date(raw: Any) -> datetime:
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        seconds = raw / 1000 if raw >= _MS_THRESHOLD else raw
        return datetime.fromtimestamp(seconds, tz=UTC)
    return datetime.now(tz=UTC)


class SeenIds:
    """A bounded LRU of message ids handled in this process (the disk dedupe is the core's)."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def add(self, key: str) -> None:
        self._ids[key] = None
        self._ids.move_to_end(key)
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)

    def discard(self, key: str) -> None:
        self._ids.pop(key, None)
