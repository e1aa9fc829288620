"""TelegramPlatform: the Platform adapter over python-telegram-bot, run inside our event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Literal

from aiohttp import web
from telegram import BotCommand as TgBotCommand
from telegram import Message, ReplyParameters, Update
from telegram import error as tg
from telegram.constants import ChatMemberStatus
from telegram.ext import Application, ApplicationBuilder

from bot.core.messages import Attachment, Button, ChatKind, ChatRef, Outgoing, SentRef, UserRef
from bot.core.platform import BadRequest, BotCommand, Capabilities, NotTaken, Sink
from bot.core.text import split_text
from bot.platforms.telegram.convert import ANONYMOUS_ADMIN_ID, BotIdentity, to_incoming
from bot.platforms.telegram.errors import neutral
from bot.platforms.telegram.files import download_file
from bot.platforms.telegram.http import AiohttpRequest
from bot.platforms.telegram.intake import ALLOWED_UPDATES, PollRequest, poll, webhook_update
from bot.platforms.telegram.send import markup, send_file

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_POLL_QUESTION, MAX_POLL_OPTION = 300, 100
POLL_READ_MARGIN = 10.0  # getUpdates' read waits for its long poll plus this (at most)
HTTP_REFUSALS = {400: "bad update", 401: "unauthorized", 413: "too large", 503: "not running"}


_PTB_URL_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")


class _TokenScrub(logging.Filter):
    """Replaces the bot token, and the webhook secret that PTB logs with setWebhook's parameters
    at DEBUG, in records of PTB's own loggers, whatever handler prints them."""

    def __init__(self, token: str, webhook_secret: str = "") -> None:
        super().__init__()
        self._hidden = [(token, "<token>"), (webhook_secret, "<secret>")]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(value and value in message for value, _ in self._hidden):
            for value, shown in self._hidden:
                message = message.replace(value, shown) if value else message
            record.msg = message
            record.args = None
        return True


class TelegramPlatform:
    """One Telegram bot: polling or webhook in, sends out, PTB errors mapped to neutral ones."""

    name = "telegram"
    bot = ""  # Telegram user ids are global, so identities do not carry the bot
    caps = Capabilities(
        max_text=MAX_TEXT, buttons=True, edits=True, files=True, groups=True, pins=True,
        polls=True,
    )  # fmt: skip

    def __init__(
        self,
        *,
        token: str,
        api_base_url: str = "https://api.telegram.org",
        mode: Literal["polling", "webhook"] = "polling",
        webhook_url: str = "",
        webhook_path: str = "/webhook/telegram",
        webhook_secret: str = "",
        poll_timeout: int = 30,
        request_timeout: float = 15.0,
        drop_pending: bool = False,
    ) -> None:
        if mode not in ("polling", "webhook"):
            msg = f"telegram mode must be 'polling' or 'webhook', not {mode!r}"
            raise ValueError(msg)
        if mode == "webhook" and not (webhook_url and webhook_secret):
            msg = "telegram webhook mode needs webhook_url and webhook_secret"
            raise ValueError(msg)
        self._token = token
        self._scrub = _TokenScrub(token, webhook_secret)
        self._api = api_base_url.rstrip("/")
        self._mode = mode
        self.mode = mode
        self._webhook_url = webhook_url
        self._webhook_path = webhook_path
        self._webhook_secret = webhook_secret
        self._poll_timeout = poll_timeout
        self._request_timeout = request_timeout
        self._drop_pending = drop_pending
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._sink: Sink | None = None
        self._me = BotIdentity(0, "")
        self.username = ""
        self.reads_all_group_messages = False  # getMe: privacy mode is off
        self.last_receive_at = 0.0  # time.monotonic() of the last good poll or webhook call
        self._received_wall = 0.0  # the same in Unix time, to compare with Telegram's dates

    def __repr__(self) -> str:  # never show the token
        return f"TelegramPlatform(mode={self._mode!r}, username={self.username!r})"

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self, sink: Sink) -> None:
        """Connect (getMe), then poll or register the webhook; updates go to `sink`."""
        # httpx logs every URL at INFO, and every Bot API URL contains the token.
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # PTB logs its base URL (token included) at DEBUG when the Bot is built.
        for name in _PTB_URL_LOGGERS:
            logging.getLogger(name).addFilter(self._scrub)
        self._sink = sink
        builder = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(f"{self._api}/bot")
            .base_file_url(f"{self._api}/file/bot")
            .request(
                AiohttpRequest(
                    connect_timeout=10,
                    read_timeout=self._request_timeout,
                    write_timeout=30,
                    media_write_timeout=60,
                )
            )
            .get_updates_request(
                PollRequest(
                    self._received, read_timeout=min(POLL_READ_MARGIN, self._request_timeout)
                )
            )
        )
        # No PTB Updater: it confirms a batch (the next getUpdates offset) before the batch is
        # handled, so a crash in between would lose it. Our poller confirms only what the core
        # has taken in durably.
        app = builder.updater(None).build()
        await app.initialize()  # getMe: a wrong token fails here, loudly
        self._app = app
        self._me = BotIdentity(app.bot.id, app.bot.username or "")
        self.username = self._me.username
        self.reads_all_group_messages = bool(app.bot.can_read_all_group_messages)
        await app.start()
        if self._mode == "webhook":
            await app.bot.set_webhook(
                url=self._webhook_url,
                secret_token=self._webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=self._drop_pending,
            )
            log.info("telegram bot @%s receives by webhook", self.username)
        else:
            # A stale webhook would make getUpdates fail: remove it first.
            await app.bot.delete_webhook(drop_pending_updates=self._drop_pending)
            self._poller = asyncio.create_task(
                poll(app.bot, self._take, timeout=self._poll_timeout)
            )
            log.info("telegram bot @%s receives by long polling", self.username)

    async def stop(self) -> None:
        """Stop receiving: end polling; updates already fetched still reach the sink."""
        app = self._app
        if app is None:
            return
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        if app.running:
            await app.stop()

    async def close(self) -> None:
        """Release PTB's HTTP clients once the core has finished sending; a webhook stays set."""
        await self.stop()
        for name in _PTB_URL_LOGGERS:
            logging.getLogger(name).removeFilter(self._scrub)
        app, self._app = self._app, None
        if app is not None:
            await app.shutdown()

    @property
    def receiving(self) -> bool:
        """Whether updates can still arrive: the poller runs, or the webhook app is running."""
        app = self._app
        if app is None:
            return False
        if self._mode == "webhook":
            return bool(app.running)
        return self._poller is not None and not self._poller.done()

    def _received(self) -> None:
        self.last_receive_at = time.monotonic()
        self._received_wall = time.time()

    async def webhook_problem(self) -> str | None:
        """In webhook mode, what Telegram reports wrong (getWebhookInfo): our webhook is gone,
        or updates wait and its last delivery failed after our last good call; else None."""
        app = self._app
        if self._mode != "webhook" or app is None:
            return None
        try:
            info = await app.bot.get_webhook_info()
        except tg.TelegramError as err:
            return f"getWebhookInfo failed: {type(err).__name__}"
        if info.url != self._webhook_url:
            return "webhook not set at Telegram"
        failed = info.last_error_date
        if info.pending_update_count and failed and failed.timestamp() > self._received_wall:
            return f"Telegram cannot deliver: {info.last_error_message or 'unknown error'}"
        return None

    async def _take(self, update: Update) -> None:
        """Hand one update to the core. NotTaken (its disk is full, it is stopping): the update
        must stay unconfirmed. Any other failure is logged and the update confirmed, so that
        one update the core chokes on cannot hold up every later one."""
        incoming = to_incoming(update, self._me)
        if incoming is None or self._sink is None:
            return
        try:
            await self._sink(incoming)
        except NotTaken:
            raise
        except Exception:
            log.exception("handling telegram update %s failed", update.update_id)

    # --- webhook -------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        """The webhook route in webhook mode; nothing when polling."""
        if self._mode != "webhook":
            return []
        return [web.post(self._webhook_path, self._webhook)]

    async def _webhook(self, request: web.Request) -> web.Response:
        app = self._app
        bot = app.bot if app is not None and app.running else None
        update = await webhook_update(request, secret=self._webhook_secret, bot=bot)
        if isinstance(update, int):
            return web.Response(status=update, text=HTTP_REFUSALS[update])
        if not (self._app is not None and self._app.running):
            # stop() began while the body arrived: the core may no longer take anything in.
            return web.Response(status=503, text=HTTP_REFUSALS[503])
        self._received()
        # The core takes it in (durably) and handles it in its own task; then Telegram hears
        # 200. When it could not (its disk is full, it is stopping), 503: Telegram sends the
        # update again later, and those behind it wait.
        try:
            await self._take(update)
        except NotTaken as exc:
            # Telegram may offer it many times a minute: the core logs the cause once.
            log.debug("telegram update %s not taken in: %s", update.update_id, exc)
            return web.Response(status=503, text="not taken")
        return web.Response(text="ok")

    # --- sending -------------------------------------------------------------------------

    def _running(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self._app is None:
            msg = "TelegramPlatform is not started"
            raise RuntimeError(msg)
        return self._app

    async def send(self, out: Outgoing) -> SentRef:
        """Send text (split at 4096), buttons on the last part, an optional file first."""
        bot = self._running().bot
        chat_id = int(out.chat.id)
        keyboard = markup(out.buttons, force_reply=out.force_reply)
        text = out.text.strip()
        parts = split_text(text, MAX_TEXT) if text else []
        reply = (
            ReplyParameters(message_id=int(out.reply_to), allow_sending_without_reply=True)
            if out.reply_to
            else None
        )
        sent: list[Message] = []
        if out.poll:
            return await self._send_poll(out, reply)
        try:
            if out.file is not None:
                caption = text if len(text) <= MAX_CAPTION else None
                if caption is not None:
                    parts = []
                sent.append(
                    await send_file(
                        bot,
                        chat_id,
                        out.file,
                        caption=caption,
                        reply=reply,
                        markup=None if parts else keyboard,
                        silent=out.silent,
                    )
                )
            elif not parts:
                msg = "nothing to send: empty text and no file"
                raise BadRequest(msg)
            for i, part in enumerate(parts):
                sent.append(
                    await bot.send_message(
                        chat_id,
                        part,
                        reply_parameters=reply if not sent else None,
                        reply_markup=keyboard if i == len(parts) - 1 else None,
                        disable_notification=out.silent,
                    )
                )
        except tg.TelegramError as err:
            log.info("telegram send to %s failed after %d part(s): %s", chat_id, len(sent), err)
            raise neutral(err) from err
        return SentRef(chat=out.chat, message_ids=tuple(str(m.message_id) for m in sent))

    async def _send_poll(self, out: Outgoing, reply: ReplyParameters | None) -> SentRef:
        """sendPoll, not anonymous so that each vote names its voter (poll_answer updates)."""
        try:
            message = await self._running().bot.send_poll(
                int(out.chat.id), out.text.strip()[:MAX_POLL_QUESTION],
                [o[:MAX_POLL_OPTION] for o in out.poll], is_anonymous=False,
                allows_multiple_answers=False, reply_parameters=reply,
                disable_notification=out.silent,
            )  # fmt: skip
        except tg.TelegramError as err:
            log.info("telegram sendPoll to %s failed: %s", out.chat.id, err)
            raise neutral(err) from err
        poll_id = message.poll.id if message.poll is not None else ""
        return SentRef(out.chat, (str(message.message_id),), poll_id=poll_id)

    async def edit(
        self,
        chat: ChatRef,
        message_id: str,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> None:
        """Replace a message's text and keyboard; an unchanged message is not an error."""
        if len(text) > MAX_TEXT:
            msg = f"edited text is {len(text)} characters, Telegram allows {MAX_TEXT}"
            raise BadRequest(msg)
        try:
            await self._running().bot.edit_message_text(
                text, chat_id=int(chat.id), message_id=int(message_id),
                reply_markup=markup(buttons, force_reply=False),
            )  # fmt: skip
        except tg.BadRequest as err:
            if "message is not modified" in err.message.lower():
                return
            raise neutral(err) from err
        except tg.TelegramError as err:
            raise neutral(err) from err

    async def edit_buttons(
        self, chat: ChatRef, message_id: str, buttons: tuple[tuple[Button, ...], ...]
    ) -> None:
        """Replace the inline keyboard only (editMessageReplyMarkup); unchanged is no error."""
        try:
            await self._running().bot.edit_message_reply_markup(
                chat_id=int(chat.id), message_id=int(message_id),
                reply_markup=markup(buttons, force_reply=False),
            )  # fmt: skip
        except tg.BadRequest as err:
            if "message is not modified" in err.message.lower():
                return
            raise neutral(err) from err
        except tg.TelegramError as err:
            raise neutral(err) from err

    async def pin(self, chat: ChatRef, message_id: str) -> None:
        """pinChatMessage without a notification; a missing right comes back as BadRequest."""
        try:
            await self._running().bot.pin_chat_message(
                int(chat.id), int(message_id), disable_notification=True
            )
        except tg.TelegramError as err:
            raise neutral(err) from err

    async def answer_callback(self, callback_id: str, text: str = "") -> None:
        """Stop the client's spinner; a query that has expired is only logged."""
        try:
            await self._running().bot.answer_callback_query(callback_id, text=text or None)
        except tg.BadRequest as err:
            if "query is too old" in err.message.lower():
                log.debug("callback %s expired before it was answered", callback_id)
                return
            raise neutral(err) from err
        except tg.TelegramError as err:
            raise neutral(err) from err

    async def download(self, attachment: Attachment) -> bytes:
        """Fetch the bytes of a file that came with an incoming message (getFile, max 20 MB)."""
        return await download_file(self._running().bot, attachment)

    async def is_group_admin(self, chat: ChatRef, user: UserRef) -> bool | None:
        """creator/administrator → True; None for anonymous admins; a DeliveryError when
        Telegram does not answer (the caller must not take that as a yes)."""
        if user.id == str(ANONYMOUS_ADMIN_ID):
            return None  # any admin of the group may be behind it; we cannot tell who
        if chat.kind is ChatKind.PRIVATE:
            return False
        try:
            member = await self._running().bot.get_chat_member(int(chat.id), int(user.id))
        except tg.TelegramError as err:
            log.warning("telegram getChatMember in %s failed: %s", chat.id, err.message)
            raise neutral(err) from err
        return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

    async def hears_group(self, chat: ChatRef | None = None) -> bool | None:
        """Privacy mode off (getMe), or admin rights in `chat`: then every message reaches us.
        A DeliveryError when Telegram does not answer."""
        if self.reads_all_group_messages:
            return True
        if chat is None or chat.kind is ChatKind.PRIVATE:
            return False
        try:
            member = await self._running().bot.get_chat_member(int(chat.id), self._me.id)
        except tg.TelegramError as err:
            log.warning("telegram getChatMember(bot) in %s failed: %s", chat.id, err.message)
            raise neutral(err) from err
        return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

    async def set_commands(self, commands: dict[str, list[BotCommand]]) -> None:
        """setMyCommands per language ("" = default); a refusal is a warning, never fatal."""
        bot = self._running().bot
        for language, entries in commands.items():
            try:
                await bot.set_my_commands(
                    [TgBotCommand(c.command, c.description) for c in entries],
                    language_code=language or None,
                )
            except tg.TelegramError as err:
                log.warning("telegram setMyCommands(%r) refused: %s", language, err.message)
