"""The shared state of the fake Telegram API and the rules for who sees which message."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from aiohttp import web

from tests.fakes.telegram_model import (
    ApiError,
    BotState,
    ChatState,
    Conversation,
    FakeChat,
    FakeUser,
    StoredFile,
    StoredMessage,
)

log = logging.getLogger(__name__)

ALL_UPDATE_TYPES = (
    "message", "edited_message", "callback_query", "my_chat_member", "poll_answer", "poll",
)  # fmt: skip


class Params:
    """Request parameters from JSON, form or query; form values are strings PTB json-encoded."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, default: str = "") -> str:
        value = self.raw.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str) -> int:
        value = self.raw.get(name)
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            if value in (None, ""):
                raise ApiError(400, f"Bad Request: {name} is empty") from None
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        """A nested object: sent as a JSON string in forms, as a value in JSON bodies."""
        value = self.raw.get(name)
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value


class TelegramWorld:
    """Users, chats, bots and conversations, shared by the API methods and the test actions."""

    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.convs: dict[tuple[int, int], Conversation] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, tuple[str, int, int]] = {}  # id → (token, chat, message)
        self.callback_answers: list[dict[str, Any]] = []
        self._file_seq = 0
        self._callback_seq = 0
        self._poll_seq = 0

    # --- lookups -------------------------------------------------------------------------

    def default_bot(self, token: str | None = None) -> BotState:
        if token is not None:
            return self.bots[token]
        if not self.bots:
            msg = "add_bot() first"
            raise RuntimeError(msg)
        return next(iter(self.bots.values()))

    def conv(self, bot: BotState, chat: FakeChat) -> Conversation:
        """Groups have one history for all; a private chat is a separate one per bot."""
        key = (chat.id, 0 if chat.is_group else bot.user.id)
        return self.convs.setdefault(key, Conversation())

    def chat_for_bot(self, bot: BotState, chat_id: Any, *, sending: bool = True) -> ChatState:
        """The chat a bot addresses, or the error Telegram answers for it."""
        try:
            state = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            state = next(
                (c for c in self.chats.values() if c.chat.user and
                 f"@{c.chat.user.username}" == chat_id),
                None,
            )  # fmt: skip
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        chat = state.chat
        if chat.is_group:
            if bot.user.id in state.kicked:
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
            if bot.user.id not in state.bots:
                raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        elif sending:
            if chat.id in bot.blocked_by:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat.id not in bot.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return state

    def message_of(self, bot: BotState, chat: FakeChat, message_id: int) -> StoredMessage | None:
        stored = self.conv(bot, chat).messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    # --- building messages ---------------------------------------------------------------

    def new_message(
        self, bot: BotState, chat: FakeChat, sender: dict[str, Any], fields: dict[str, Any]
    ) -> StoredMessage:
        """Store a message with the chat's next id; `fields` holds text, reply, media…"""
        conv = self.conv(bot, chat)
        data: dict[str, Any] = {
            "message_id": conv.take_id(),
            "from": sender,
            "chat": chat.json(),
            "date": int(time.time()),
            **fields,
        }
        stored = StoredMessage(
            data=data, from_bot_id=sender["id"] if sender.get("is_bot") else None
        )
        conv.messages[data["message_id"]] = stored
        return stored

    def reply_json(self, bot: BotState, chat: FakeChat, message_id: int) -> dict[str, Any] | None:
        """reply_to_message as Telegram nests it: the message without its own reply."""
        stored = self.message_of(bot, chat, message_id)
        if stored is None:
            return None
        return {k: v for k, v in stored.public().items() if k != "reply_to_message"}

    def store_file(
        self, data: bytes, *, name: str, mime: str, folder: str, url: str = ""
    ) -> StoredFile:
        self._file_seq += 1
        n = self._file_seq
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = StoredFile(
            file_id=f"F{n:06d}{folder[:3].upper()}", unique_id=f"U{n:06d}",
            path=f"{folder}/file_{n}.{suffix}", name=name, mime=mime, data=data, url=url,
        )  # fmt: skip
        self.files[stored.file_id] = stored
        return stored

    def next_callback_id(self) -> str:
        self._callback_seq += 1
        return f"cb{self._callback_seq:08d}"

    def next_poll_id(self) -> str:
        self._poll_seq += 1
        return f"poll{self._poll_seq:06d}"

    # --- queuing updates -----------------------------------------------------------------

    def queue(self, bot: BotState, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Append an update for one bot and wake its long poll / webhook sender."""
        update = {"update_id": bot.next_update_id, kind: payload}
        bot.next_update_id += 1
        bot.updates.append(update)
        bot.notify()
        return update

    def hears(self, bot: BotState, state: ChatState, message: dict[str, Any]) -> bool:
        """Telegram's privacy mode: without it (or admin rights) a bot in a group only hears
        commands not meant for another bot, replies to its own messages and @mentions."""
        if not state.chat.is_group:
            return True
        if bot.user.id not in state.bots:
            return False
        if bot.can_read_all_group_messages or state.bot_is_admin:
            return True
        text = message.get("text") or message.get("caption") or ""
        name = f"@{bot.user.username}".lower()
        if text.startswith("/"):
            first = text.split(maxsplit=1)[0].lower()
            if "@" not in first or first.endswith(name):
                return True
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == bot.user.id:
            return True
        return name in text.lower()

    def listeners(self, chat: FakeChat, bot_token: str | None) -> list[BotState]:
        """The bots a user's action in `chat` concerns: one bot privately, every bot in a group."""
        if not chat.is_group:
            return [self.default_bot(bot_token)]
        state = self.chats[chat.id]
        return [b for b in self.bots.values() if b.user.id in state.bots]


def error_response(err: ApiError) -> web.Response:
    """The Bot API's error JSON with the matching HTTP status."""
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.retry_after is not None:
        body["parameters"] = {"retry_after": err.retry_after}
    return web.json_response(body, status=err.status)
