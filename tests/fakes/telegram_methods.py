"""The Bot API methods of the fake Telegram server: messages, edits, files, members, menus."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp

from tests.fakes.flood import retry_after_seconds
from tests.fakes.telegram_markup import check_reply_markup, plain_text
from tests.fakes.telegram_model import ApiError, BotState, ChatState, FakeChat, StoredMessage
from tests.fakes.telegram_world import Params, TelegramWorld

MAX_TEXT = 4096
MAX_CAPTION = 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class MessageMethods(TelegramWorld):
    """sendMessage, edits, files, pins, polls: everything that writes into a chat."""

    def flood(self, bot: BotState, chat: FakeChat) -> None:
        """Telegram's per-bot limits: refuse with 429 and retry_after when one is broken."""
        wait = bot.limiter.check(chat.id, chat.is_group)
        if wait is not None:
            seconds = retry_after_seconds(wait)
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    def _text(self, p: Params, name: str, limit: int, *, required: bool) -> str:
        plain = plain_text(p.str(name), p.str("parse_mode") or None)
        if required and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > limit:
            what = "message is too long" if name == "text" else "message caption is too long"
            raise ApiError(400, f"Bad Request: {what}")
        return plain.strip()

    def _markup(self, p: Params) -> dict[str, Any]:
        markup = check_reply_markup(p.json("reply_markup"))
        if markup is None:
            return {}
        if "inline_keyboard" in markup:
            return {"reply_markup": markup}
        # Telegram does not echo reply keyboards or force_reply; keep them for the test view.
        return {"_force_reply": markup}

    def _reply(self, bot: BotState, chat: FakeChat, p: Params) -> dict[str, Any]:
        reply_to, allow = None, p.bool("allow_sending_without_reply")
        if p.has("reply_parameters"):
            params = p.json("reply_parameters") or {}
            reply_to = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply", allow))
        elif p.has("reply_to_message_id"):
            reply_to = p.int("reply_to_message_id")
        if reply_to is None:
            return {}
        nested = self.reply_json(bot, chat, int(reply_to))
        if nested is None:
            if allow:
                return {}
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {"reply_to_message": nested}

    def _send(self, bot: BotState, state: ChatState, fields: dict[str, Any]) -> dict[str, Any]:
        self.flood(bot, state.chat)
        return self.new_message(bot, state.chat, bot.user.json(), fields).public()

    async def api_sendMessage(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"))
        text = self._text(p, "text", MAX_TEXT, required=True)
        fields = {"text": text, **self._reply(bot, state.chat, p), **self._markup(p)}
        return self._send(bot, state, fields)

    def _own_message(self, bot: BotState, p: Params, what: str) -> tuple[ChatState, StoredMessage]:
        if p.has("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by this fake")
        state = self.chat_for_bot(bot, p.raw.get("chat_id"), sending=False)
        stored = self.message_of(bot, state.chat, p.int("message_id"))
        if stored is None:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        if stored.from_bot_id != bot.user.id and what == "edit":
            raise ApiError(400, "Bad Request: message can't be edited")
        return state, stored

    async def api_editMessageText(self, bot: BotState, p: Params) -> Any:
        state, stored = self._own_message(bot, p, "edit")
        text = self._text(p, "text", MAX_TEXT, required=True)
        # Without reply_markup Telegram drops the inline keyboard.
        markup = self._markup(p).get("reply_markup")
        if text == stored.data.get("text") and markup == stored.data.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        self.flood(bot, state.chat)
        stored.edits.append(stored.data.get("text", ""))
        stored.data["text"] = text
        return _edited(stored, markup)

    async def api_editMessageReplyMarkup(self, bot: BotState, p: Params) -> Any:
        state, stored = self._own_message(bot, p, "edit")
        markup = self._markup(p).get("reply_markup")
        if markup == stored.data.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        self.flood(bot, state.chat)
        return _edited(stored, markup)

    async def api_deleteMessage(self, bot: BotState, p: Params) -> Any:
        state, stored = self._own_message(bot, p, "delete")
        if stored.from_bot_id != bot.user.id and state.chat.is_group and not state.bot_is_admin:
            raise ApiError(400, "Bad Request: message can't be deleted")
        stored.deleted = True
        return True

    async def api_pinChatMessage(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"), sending=False)
        if state.chat.is_group and not state.bot_is_admin:
            raise ApiError(
                400, "Bad Request: not enough rights to manage pinned messages in the chat"
            )
        stored = self.message_of(bot, state.chat, p.int("message_id"))
        if stored is None:
            raise ApiError(400, "Bad Request: message to pin not found")
        self.flood(bot, state.chat)
        stored.pinned = True
        return True

    async def api_unpinChatMessage(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"), sending=False)
        if state.chat.is_group and not state.bot_is_admin:
            raise ApiError(
                400, "Bad Request: not enough rights to manage pinned messages in the chat"
            )
        for stored in self.conv(bot, state.chat).messages.values():
            if not p.has("message_id") or stored.data["message_id"] == p.int("message_id"):
                stored.pinned = False
        return True

    async def api_sendChatAction(self, bot: BotState, p: Params) -> Any:
        self.chat_for_bot(bot, p.raw.get("chat_id"))
        return True

    async def api_sendPoll(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"))
        options = p.json("options") or []
        if not 2 <= len(options) <= 10:
            raise ApiError(400, "Bad Request: poll must have at least 2 option")
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        poll_id = self.next_poll_id()
        # Bot API 9.6 gave options a persistent_id and polls allows_revoting; 10.0 members_only.
        poll = {
            "id": poll_id, "question": p.str("question"), "total_voter_count": 0,
            "options": [{"persistent_id": f"{poll_id}-{i}", "text": t, "voter_count": 0}
                        for i, t in enumerate(texts)],
            "is_closed": False,
            "is_anonymous": p.bool("is_anonymous") if p.has("is_anonymous") else True,
            "type": p.str("type", "regular"),
            "allows_multiple_answers": p.bool("allows_multiple_answers"),
            "allows_revoting": p.bool("allows_revoting") if p.has("allows_revoting") else True,
            "members_only": p.bool("members_only"),
        }  # fmt: skip
        return self._send(bot, state, {"poll": poll, **self._reply(bot, state.chat, p)})

    # --- files ---------------------------------------------------------------------------

    async def _file_arg(self, p: Params, name: str, folder: str) -> dict[str, Any]:
        """The uploaded part, a known file_id, or a URL the fake fetches (loopback only)."""
        value = p.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.raw.get(value.removeprefix("attach://"))
        if isinstance(value, tuple):
            filename, data, mime = value
            stored = self.store_file(data, name=filename, mime=mime, folder=folder)
        elif isinstance(value, str) and value in self.files:
            stored = self.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            data = await _fetch(value)
            filename = value.rsplit("/", 1)[-1].split("?", 1)[0] or "file"
            stored = self.store_file(data, name=filename, mime="", folder=folder, url=value)
        elif not value:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if folder == "photos":
            return {"photo": [{
                "file_id": stored.file_id, "file_unique_id": stored.unique_id,
                "width": 800, "height": 600, "file_size": len(stored.data),
            }]}  # fmt: skip
        return {"document": {
            "file_id": stored.file_id, "file_unique_id": stored.unique_id,
            "file_name": stored.name, "mime_type": stored.mime or "application/octet-stream",
            "file_size": len(stored.data),
        }}  # fmt: skip

    async def _send_file(self, bot: BotState, p: Params, name: str, folder: str) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"))
        caption = self._text(p, "caption", MAX_CAPTION, required=False)
        fields = {**await self._file_arg(p, name, folder), **self._reply(bot, state.chat, p)}
        if caption:
            fields["caption"] = caption
        return self._send(bot, state, {**fields, **self._markup(p)})

    async def api_sendDocument(self, bot: BotState, p: Params) -> Any:
        return await self._send_file(bot, p, "document", "documents")

    async def api_sendPhoto(self, bot: BotState, p: Params) -> Any:
        return await self._send_file(bot, p, "photo", "photos")

    async def api_getFile(self, bot: BotState, p: Params) -> Any:
        stored = self.files.get(p.str("file_id"))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id, "file_unique_id": stored.unique_id,
            "file_size": len(stored.data), "file_path": stored.path,
        }  # fmt: skip

    def file_by_path(self, path: str) -> bytes | None:
        return next((f.data for f in self.files.values() if f.path == path), None)


async def _fetch(url: str) -> bytes:
    """Telegram downloads files sent by URL; the fake can only reach loopback addresses."""
    host = url.split("/")[2].split(":")[0]
    if host not in ("127.0.0.1", "localhost"):
        return b""
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            if resp.status != 200:
                raise ApiError(400, "Bad Request: failed to get HTTP URL content")
            return await resp.read()
    except aiohttp.ClientError:
        raise ApiError(400, "Bad Request: failed to get HTTP URL content") from None


def canonical(value: Any) -> str:
    """A stable key for a JSON value (command scopes)."""
    return json.dumps(value or {"type": "default"}, sort_keys=True)


def _edited(stored: Any, markup: Any) -> Any:
    """Give an edited message its new keyboard (none removes it) and its edit date."""
    stored.data.pop("reply_markup", None)
    if markup:
        stored.data["reply_markup"] = markup
    stored.data["edit_date"] = int(time.time())
    stored.touch()
    return stored.public()
