"""The Bot API methods of the fake Zalo server, answering like Zalo's docs and measurements say."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.zalo_model import (
    MAX_TEXT,
    ApiError,
    BotState,
    ChatState,
    ZaloMessage,
    hex_id,
    now_ms,
    update_json,
)

log = logging.getLogger(__name__)

# sendChatAction answers `{"ok": true}` with no `result` (S1, S2); the handler returns this marker.
NO_RESULT = object()

DEFAULT_POLL_TIMEOUT = 30.0
CHAT_ACTIONS = ("typing", "upload_photo")  # upload_photo is "coming soon" in the docs; accepted


@dataclass(slots=True)
class Fault:
    """An error the test asked for: the next `times` calls of `method` (per token or all) fail."""

    method: str
    token: str | None
    code: int
    description: str
    http_status: int
    times: int


class ZaloMethods:
    """The ten documented methods over the shared state; FakeZalo supplies the state."""

    bots: dict[str, BotState]
    chats: dict[tuple[str, str], ChatState]
    redeliver: bool
    allow_http_webhook: bool
    echo_bot_messages: bool
    flood_error: tuple[int, str]
    quota_description: str
    unreachable_error: tuple[int, str]
    closing: bool
    polls_waiting: int
    offline_loss: bool
    offline_after: float
    idle_status: int
    idle_error_code: bool
    confirm_group_sends: bool
    quota_counts_incoming: bool

    def handlers(self) -> dict[str, Callable[[BotState, dict[str, Any]], Awaitable[Any]]]:
        return {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendSticker": self.send_sticker,
            "sendVoice": self.send_voice,
            "sendChatAction": self.send_chat_action,
        }

    async def enqueue(self, bot: BotState, update: dict[str, Any]) -> None:
        raise NotImplementedError  # FakeZalo: webhook POST or the getUpdates queue

    def flush_to_webhook(self, bot: BotState) -> None:
        raise NotImplementedError

    async def fetch_media(self, url: str, mime_prefix: str) -> bytes:
        raise NotImplementedError  # FakeZalo: an HTTP GET, as Zalo's servers make it

    async def get_me(self, bot: BotState, params: dict[str, Any]) -> Any:
        return bot.me()

    async def get_updates(self, bot: BotState, params: dict[str, Any]) -> Any:
        if bot.webhook_url:
            # Zalo documents that polling does not work while a webhook is set but not how it
            # fails; Telegram answers 409, which is not among Zalo's documented codes, so the
            # fake uses 400 (its "bad request" for a call that cannot be served).
            raise ApiError(400, "Bad Request: getUpdates is not available while a webhook is set")
        timeout = _float(params.get("timeout", DEFAULT_POLL_TIMEOUT), "timeout")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            update = bot.next_update(redeliver=self.redeliver)
            if update is not None:
                return update
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                raise self._idle_answer()
            bot.arrived.clear()
            self.polls_waiting += 1
            bot.polls_open += 1
            bot.polls_started += 1
            try:
                await asyncio.wait_for(bot.arrived.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self.polls_waiting -= 1
                bot.polls_open -= 1
                bot.last_poll = loop.time()

    def _idle_answer(self) -> ApiError:
        """The answer to a poll that saw nothing: HTTP 408 with no `error_code`, as measured
        (S7); `idle_error_code` adds the code (S3, S4, S13); `idle_status=504` is a gateway's
        idle answer, which S3 tolerates."""
        if self.idle_status == 504:
            return ApiError(504, "Gateway Timeout", http_status=504, omit_code=True)
        return ApiError(
            408, "Request timeout", http_status=408, omit_code=not self.idle_error_code
        )

    def offline(self, bot: BotState) -> bool:
        """Whether `bot` is offline as the `offline_loss` mode sees it: no webhook, no long poll
        open, and none ended within `offline_after` seconds (the gap between two polls)."""
        if bot.webhook_url or bot.polls_open:
            return False
        now = asyncio.get_running_loop().time()
        return bot.last_poll is None or now - bot.last_poll > self.offline_after

    async def set_webhook(self, bot: BotState, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        if not url:
            raise ApiError(400, "Bad Request: url is required")
        if not url.startswith("https://") and not (
            self.allow_http_webhook and url.startswith("http://")
        ):
            raise ApiError(400, "Bad Request: url must be HTTPS")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        bot.webhook_url, bot.webhook_secret, bot.webhook_updated_at = url, secret, now_ms()
        self.flush_to_webhook(bot)
        return {"url": url, "updated_at": bot.webhook_updated_at}

    async def delete_webhook(self, bot: BotState, params: dict[str, Any]) -> Any:
        bot.webhook_url, bot.webhook_secret, bot.webhook_updated_at = "", "", now_ms()
        return {"url": "", "updated_at": bot.webhook_updated_at}

    async def get_webhook_info(self, bot: BotState, params: dict[str, Any]) -> Any:
        if not bot.webhook_url:
            # Measured by S7: HTTP 404 and a body without error_code; undocumented.
            raise ApiError(404, "Not Found", http_status=404, omit_code=True)
        return {"url": bot.webhook_url, "updated_at": bot.webhook_updated_at}

    async def send_message(self, bot: BotState, params: dict[str, Any]) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= _counted(text) <= MAX_TEXT:
            raise ApiError(400, f"Bad Request: text must be 1-{MAX_TEXT} characters")
        state = self._target(bot, params)
        return await self._record(bot, state, kind="text", text=text)

    async def send_photo(self, bot: BotState, params: dict[str, Any]) -> Any:
        photo = params.get("photo")
        caption = params.get("caption") or ""
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: photo must be an image URL")
        if not isinstance(caption, str) or _counted(caption) > MAX_TEXT:
            raise ApiError(400, f"Bad Request: caption must be at most {MAX_TEXT} characters")
        state = self._target(bot, params)
        # Zalo takes a photo by URL only and fetches it itself (its servers, not the recipient):
        # a link Zalo cannot open fails the send. The words are not documented; the code is 400.
        await self.fetch_media(photo, "image/")
        return await self._record(bot, state, kind="photo", photo=photo, caption=caption)

    async def send_sticker(self, bot: BotState, params: dict[str, Any]) -> Any:
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise ApiError(400, "Bad Request: sticker is required")
        state = self._target(bot, params)
        return await self._record(bot, state, kind="sticker", sticker=sticker)

    async def send_voice(self, bot: BotState, params: dict[str, Any]) -> Any:
        # Section 12 [C]: `{chat_id, voice_url}`, `.aac` only, private chats only (to a group it
        # may answer ok and never arrive: the fake refuses, so a test sees the mistake).
        voice = params.get("voice_url")
        if not isinstance(voice, str) or not voice.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: voice_url is required")
        if not voice.split("?", 1)[0].lower().endswith(".aac"):
            raise ApiError(400, "Bad Request: voice must be an .aac file")
        state = self._target(bot, params)
        if state.chat.is_group:
            raise ApiError(400, "Bad Request: voice can be sent to private chats only")
        await self.fetch_media(voice, "audio/")
        return await self._record(bot, state, kind="voice", photo=voice)

    async def send_chat_action(self, bot: BotState, params: dict[str, Any]) -> Any:
        if params.get("action", "typing") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: unsupported action")
        self._target(bot, params)
        return NO_RESULT

    def _target(self, bot: BotState, params: dict[str, Any]) -> ChatState:
        """The chat a send goes to; the bot can only reach chats it has heard from [G]."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise ApiError(400, "Bad Request: chat_id is required")
        state = self.chats.get((bot.token, chat_id))
        if state is None or not state.reachable:
            # Zalo's wording for this is not documented; its code table has 404 "not found".
            code, description = self.unreachable_error
            raise ApiError(code, description)
        return state

    async def _record(self, bot: BotState, state: ChatState, *, kind: str, **fields: str) -> Any:
        """Check the monthly quota (and the undocumented flood mode, when a test turned it on),
        then add the bot's message to the chat."""
        if bot.quota_used(counts_incoming=self.quota_counts_incoming) >= bot.monthly_quota:
            # Documented: 429 "quota exceeded"; the wording is not, so tests may change it.
            raise ApiError(429, self.quota_description)
        wait = bot.flood.check(state.chat.id, state.chat.is_group)
        if wait is not None:
            code, description = self.flood_error
            raise ApiError(code, description)
        bot.sent_count += 1
        message = ZaloMessage(
            message_id=hex_id(bot.token, "out"), date=now_ms(), from_id=bot.id, from_bot=True,
            kind=kind, **fields,
        )  # fmt: skip
        state.messages.append(message)
        if self.echo_bot_messages:
            # goclaw (S5): "Zalo redelivers sends through the same webhook"; off by default.
            echo = {
                "message_id": message.message_id,
                "date": message.date,
                "from": {"id": bot.id, "display_name": bot.name, "is_bot": True},
                "chat": state.chat.json(),
                "text": message.text or message.caption,
            }
            await self.enqueue(bot, update_json("message.text.received", echo))
        if state.chat.is_group and not self.confirm_group_sends:
            return {"date": message.date}  # ok, but nothing to tell it arrived by
        return {"message_id": message.message_id, "date": message.date}


def _float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: {name} must be a number of seconds") from None


def _counted(text: str) -> int:
    """A length as Zalo may count it: which of code points and UTF-16 units Zalo counts is not
    documented, so the fake refuses a text past the limit in either."""
    return max(len(text), len(text.encode("utf-16-le")) // 2)
