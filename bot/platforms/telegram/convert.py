"""Turns python-telegram-bot Updates into neutral Incoming values (no PTB object escapes)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Message, MessageEntity, Update, User
from telegram.constants import ChatType

from bot.core.messages import (
    Attachment,
    ChatKind,
    ChatRef,
    Incoming,
    ReplyInfo,
    UpdateKind,
    UserRef,
)

log = logging.getLogger(__name__)

PLATFORM = "telegram"
# Telegram shows this account as the sender when a group admin posts anonymously.
ANONYMOUS_ADMIN_ID = 1087968824
_ADDRESSED_COMMAND = re.compile(r"^(/[A-Za-z0-9_]+)@([A-Za-z0-9_]+)(?=[\s:=,;|.]|$)")


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is, to recognise commands, mentions and replies meant for it."""

    id: int
    username: str


def chat_ref(chat_id: int, chat_type: str) -> ChatRef:
    kind = ChatKind.PRIVATE if chat_type == ChatType.PRIVATE else ChatKind.GROUP
    return ChatRef(platform=PLATFORM, bot="", id=str(chat_id), kind=kind)


def user_ref(user_id: int) -> UserRef:
    return UserRef(platform=PLATFORM, bot="", id=str(user_id))


def to_incoming(update: Update, me: BotIdentity) -> Incoming | None:
    """The neutral form of an update, or None when it carries nothing the core can use."""
    if update.callback_query is not None:
        return _callback(update, me)
    if update.message is not None:
        return _message(update, update.message, UpdateKind.MESSAGE, me)
    if update.edited_message is not None:
        return _message(update, update.edited_message, UpdateKind.EDITED, me)
    if update.poll_answer is not None:
        return _poll_answer(update)
    if update.my_chat_member is not None:
        change = update.my_chat_member
        log.info(
            "bot membership in chat %s changed to %s",
            change.chat.id,
            change.new_chat_member.status,
        )
        return None
    log.debug("ignoring update %s of an unused type", update.update_id)
    return None


def _message(update: Update, msg: Message, kind: UpdateKind, me: BotIdentity) -> Incoming | None:
    sender = msg.from_user
    if sender is None:
        log.debug("ignoring update %s without a sender (channel post?)", update.update_id)
        return None
    text = msg.text or msg.caption or ""
    attachments = _attachments(msg)
    if not text and not attachments:
        log.debug("ignoring update %s without text or files", update.update_id)
        return None
    text, addressed = _rewrite_command(text, me)
    reply = _reply_info(msg.reply_to_message, me)
    mentions = addressed or (reply is not None and reply.from_bot) or _mentions(msg, text, me)
    anonymous = sender.id == ANONYMOUS_ADMIN_ID
    return Incoming(
        update_id=str(update.update_id),
        kind=kind,
        chat=chat_ref(msg.chat.id, msg.chat.type),
        sender=user_ref(sender.id),
        sender_name=_anonymous_name(msg) if anonymous else sender.full_name,
        text=text,
        date=msg.date,
        message_id=str(msg.message_id),
        reply_to=reply,
        attachments=attachments,
        mentions_bot=mentions,
        # GroupAnonymousBot is flagged as a bot, but a person (an admin) is writing.
        sender_is_bot=sender.is_bot and not anonymous,
        sender_anonymous=anonymous,
        language=sender.language_code or "",
    )


def _callback(update: Update, me: BotIdentity) -> Incoming | None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None:
        log.debug("ignoring callback %s without a message (inline mode)", query.id)
        return None
    return Incoming(
        update_id=str(update.update_id),
        kind=UpdateKind.CALLBACK,
        chat=chat_ref(message.chat.id, message.chat.type),
        sender=user_ref(query.from_user.id),
        sender_name=query.from_user.full_name,
        text="",
        date=datetime.now(tz=UTC),  # the press happens now; the message may be days old
        message_id=str(message.message_id),
        callback_id=query.id,
        callback_data=query.data or "",
        mentions_bot=True,
        sender_is_bot=query.from_user.is_bot,
        language=query.from_user.language_code or "",
    )


def _poll_answer(update: Update) -> Incoming | None:
    """A vote in a poll the bot sent, as a button-press-like event `poll:<poll id>:<options>`
    (no options: the vote was taken back). Telegram gives no chat with it, so its chat is the
    poll itself, a group-like place nothing is sent to and that says nothing about whether the
    voter ever wrote to the bot privately."""
    answer = update.poll_answer
    assert answer is not None
    user = answer.user
    if user is None:
        log.debug("ignoring a vote cast as a chat in poll %s", answer.poll_id)
        return None
    options = ",".join(str(i) for i in answer.option_ids)
    return Incoming(
        update_id=str(update.update_id),
        kind=UpdateKind.CALLBACK,
        chat=ChatRef(PLATFORM, "", f"poll:{answer.poll_id}", ChatKind.GROUP),
        sender=user_ref(user.id),
        sender_name=user.full_name,
        text="",
        date=datetime.now(tz=UTC),
        callback_data=f"poll:{answer.poll_id}:{options}",
        mentions_bot=True,
        sender_is_bot=user.is_bot,
        language=user.language_code or "",
    )


def _rewrite_command(text: str, me: BotIdentity) -> tuple[str, bool]:
    """`/cmd@ThisBot args` → (`/cmd args`, True); a command for another bot stays as it is."""
    match = _ADDRESSED_COMMAND.match(text)
    if match is None or match.group(2).lower() != me.username.lower():
        return text, False
    return match.group(1) + text[match.end() :], True


def _mentions(msg: Message, text: str, me: BotIdentity) -> bool:
    if me.username and re.search(rf"(?<![\w@])@{re.escape(me.username)}\b", text, re.IGNORECASE):
        return True
    entities = (*msg.entities, *msg.caption_entities)
    return any(
        e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == me.id
        for e in entities
    )


def _reply_info(reply: Message | None, me: BotIdentity) -> ReplyInfo | None:
    if reply is None:
        return None
    author: User | None = reply.from_user
    return ReplyInfo(
        message_id=str(reply.message_id),
        from_bot=author is not None and author.id == me.id,  # this bot, not any bot
        text=reply.text or reply.caption or "",
        attachments=_attachments(reply),
    )


def _attachments(msg: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if msg.photo:
        biggest = max(msg.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        found.append(
            Attachment(
                "photo", file_id=biggest.file_id, mime="image/jpeg", size=biggest.file_size or 0
            )
        )
    if msg.document is not None:
        doc = msg.document
        found.append(
            Attachment(
                "document",
                file_id=doc.file_id,
                name=doc.file_name or "",
                mime=doc.mime_type or "",
                size=doc.file_size or 0,
            )
        )
    for kind in ("voice", "audio", "video", "video_note", "sticker"):
        media = getattr(msg, kind)
        if media is not None:
            mime = getattr(media, "mime_type", None) or ""
            found.append(
                Attachment(kind, file_id=media.file_id, mime=mime, size=media.file_size or 0)
            )
    return tuple(found)


def _anonymous_name(msg: Message) -> str:
    """An anonymous admin shows their custom title, if any, else the group's name."""
    return msg.author_signature or (msg.sender_chat.title if msg.sender_chat else "") or "admin"
