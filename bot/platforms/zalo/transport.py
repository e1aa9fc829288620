"""ZaloPlatform: one Zalo bot as a neutral Platform (long polling or webhook, and sends)."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
from aiohttp import web

from bot.core.messages import Attachment, Button, ChatRef, Outgoing, SentRef, UserRef
from bot.core.platform import (
    BadRequest,
    BotCommand,
    Capabilities,
    DeliveryError,
    NotTaken,
    Sink,
)
from bot.core.text import counted_length, split_text
from bot.platforms.zalo.arrivals import Keeper, keep_on_arrival, read_kept
from bot.platforms.zalo.client import (
    DEFAULT_API_BASE_URL,
    Backoff,
    ZaloClient,
    ZaloError,
    ZaloRetryable,
    ZaloTimeout,
    ZaloUnauthorized,
)
from bot.platforms.zalo.errors import delivery_error
from bot.platforms.zalo.files import fetch_attachment
from bot.platforms.zalo.held import Held
from bot.platforms.zalo.mentions import Mentions
from bot.platforms.zalo.updates import SeenIds, is_own, message_key, to_incoming, unwrap
from bot.platforms.zalo.webhook import Refused, read_updates

log = logging.getLogger(__name__)

MAX_TEXT = 2000


class ZaloPlatform:
    """A running connection to one Zalo bot; `bot` is its configured name (e.g. "zalo1")."""

    name = "zalo"
    caps = Capabilities(
        max_text=MAX_TEXT, buttons=False, edits=False, files=False, groups=True, pins=False
    )

    def __init__(
        self,
        *,
        name: str,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        mode: str = "polling",
        webhook_url: str = "",
        webhook_path: str = "",
        webhook_secret: str = "",
        poll_timeout: float = 30,
        request_timeout: float = 30.0,
        min_poll_interval: float = 1.0,
        backoff: Backoff | None = None,
        session: aiohttp.ClientSession | None = None,
        keeper: Keeper | None = None,
    ) -> None:
        if mode not in ("polling", "webhook"):
            msg = f"zalo mode must be 'polling' or 'webhook', not {mode!r}"
            raise ValueError(msg)
        self.bot = name
        self.mode = mode
        self.webhook_url = webhook_url
        self.webhook_path = webhook_path or f"/webhook/zalo/{name}"
        self._secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.min_poll_interval = min_poll_interval
        self.backoff = backoff or Backoff()
        self.client = ZaloClient(
            token=token, api_base_url=api_base_url, session=session, timeout=request_timeout
        )
        self.bot_id = ""
        self.display_name = ""
        self.mentions = Mentions()  # the names the bot is @mentioned by in groups
        self.last_receive_at: float | None = None  # time.monotonic() of the last answer received
        self._sink: Sink | None = None
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen = SeenIds()
        self._held = Held()  # polled updates the core could not take in
        self._send_failures = 0
        self._stopping = False
        self.keeper = keeper  # where photos go on arrival (arrivals.py); None: fetched on demand

    def __repr__(self) -> str:
        return f"ZaloPlatform(bot={self.bot!r}, mode={self.mode!r})"  # never the token

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, sink: Sink) -> None:
        """Learn the bot's identity, then set the webhook or start the polling task."""
        try:
            await self._start(sink)
        except BaseException:
            # The app skips a platform that failed to start and never stops it: clean up here.
            self._sink = None
            await self.client.close()
            raise

    async def _start(self, sink: Sink) -> None:
        self._sink = sink
        self._stopping = False
        if self.mode == "webhook" and not (self.webhook_url and 8 <= len(self._secret) <= 256):
            msg = f"zalo bot {self.bot}: webhook mode needs a webhook url and an 8-256 char secret"
            raise ValueError(msg)
        try:
            me = await self.client.get_me()
        except ZaloUnauthorized:
            log.error("zalo bot %s: token rejected by getMe (401)", self.bot)
            raise
        except ZaloError as exc:
            log.warning(
                "zalo bot %s: getMe failed (%s); own messages known by is_bot", self.bot, exc
            )
        else:
            self.bot_id = str(me.get("id") or "")
            # Documented without a display name; one source shows it (mentions learn the rest).
            self.display_name = str(me.get("display_name") or "")
            self.mentions.know(self.display_name)
        if self.mode == "webhook":
            await self.client.set_webhook(self.webhook_url, self._secret)
            log.info("zalo bot %s: webhook set", self.bot)
            return
        try:
            # getUpdates does not work while a webhook is set (S1, S4, S7).
            await self.client.delete_webhook()
        except ZaloError as exc:
            log.warning("zalo bot %s: deleteWebhook failed (%s)", self.bot, exc)
        self._poller = asyncio.create_task(self._poll_loop(), name=f"zalo-poll-{self.bot}")
        log.info("zalo bot %s: polling started", self.bot)
        # Contested [X]: one source says Zalo drops what people send while a polling bot is
        # stopped. The sandbox never builds this transport, so every real polling bot warns.
        log.warning(
            "zalo bot %s: polling mode: messages sent while the bot is stopped may be lost; "
            "use webhook mode in production (docs/deploy.md)",
            self.bot,
        )

    async def stop(self) -> None:
        """Stop receiving: end polling and let webhook work in flight reach the sink."""
        self._stopping = True  # late webhook calls get 503 while in-flight work finishes
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
            if self._held and not await self._held.offer(self._handle):
                # Zalo has no offset to leave them unconfirmed at: these are gone.
                log.error("zalo bot %s: %d polled updates the core could not take in are lost",
                          self.bot, self._held.clear())  # fmt: skip
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Release the HTTP session, once the core has finished sending."""
        await self.stop()
        await self.client.close()

    @property
    def polling(self) -> bool:
        """Whether the polling task is running (it ends on 401)."""
        return self._poller is not None and not self._poller.done()

    @property
    def receiving(self) -> bool:
        """Whether updates can still arrive: a live poller, or a webhook not being stopped."""
        return not self._stopping if self.mode == "webhook" else self.polling

    async def webhook_problem(self) -> str | None:
        """In webhook mode, whether Zalo still holds our webhook (it reports nothing else)."""
        if self.mode != "webhook" or self._stopping:
            return None
        try:
            info = await self.client.get_webhook_info()
        except ZaloError as exc:
            return f"getWebhookInfo failed: {type(exc).__name__}"
        if info is None or info.get("url") != self.webhook_url:
            return "webhook not set at Zalo"
        return None

    # -- receiving -------------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        failures = 0
        held = self._held
        while True:
            # What the core could not take in (bot.platforms.zalo.held) goes first, in order.
            if held and not await held.offer(self._handle) and held.full:
                await asyncio.sleep(held.wait)  # enough in memory: the rest waits at Zalo
                continue
            # While some are held, short polls: they are offered again every held.wait.
            timeout = min(self.poll_timeout, held.wait) if held else self.poll_timeout
            asked = time.monotonic()
            try:
                raw = await self.client.get_updates(timeout=timeout)
            except ZaloTimeout:
                # The normal idle answer (408, or a gateway's 504): poll again at once, with no
                # backoff. It also proves the API answers, which the health endpoint wants.
                failures = 0
                self.last_receive_at = time.monotonic()
                if self.last_receive_at - asked < timeout / 2:
                    # Idle long before the poll's time was up (a gateway answering 504 at
                    # once): a pause, not a growing backoff, keeps the loop from spinning.
                    await asyncio.sleep(self.min_poll_interval)
                continue
            except ZaloUnauthorized:
                log.error("zalo bot %s: token rejected (401); polling stopped", self.bot)
                return
            except ZaloError as exc:
                delay = self.backoff.delay(failures)
                failures += 1
                log.warning(
                    "zalo bot %s: getUpdates failed (%s); retry in %.2fs", self.bot, exc, delay
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            self.last_receive_at = time.monotonic()
            fresh = False
            for update in unwrap(raw):
                if held:
                    fresh = held.add(update, taken=self._seen.__contains__) or fresh
                    continue
                try:
                    fresh = await self._handle(update) or fresh
                except NotTaken as exc:
                    log.warning("zalo bot %s: an update was not taken in (%s); kept to offer "
                                "again", self.bot, exc)  # fmt: skip
                    fresh = held.add(update, taken=self._seen.__contains__) or fresh
            if not fresh:
                # Zalo may hand back consumed updates on every poll at once (S7 measured about
                # 12 per second); a pause stops the loop from spinning on them.
                await asyncio.sleep(self.min_poll_interval)

    async def _handle(self, update: dict[str, object]) -> bool:
        """Pass one update to the sink; False when it was seen before or carried no message.
        NotTaken: the core could not take it in (its id is forgotten: it may come again)."""
        key = message_key(update)
        if not key or key in self._seen:
            return False
        # Marked before the await, so a concurrent webhook retry of it is dropped too.
        self._seen.add(key)
        if is_own(update, bot_id=self.bot_id):
            return True
        try:
            incoming = to_incoming(update, bot=self.bot, mentions=self.mentions)
        except (TypeError, ValueError, OverflowError, OSError):
            log.exception("zalo bot %s: malformed update dropped", self.bot)
            return True
        if incoming is None or self._sink is None:
            return True
        # Zalo's file URLs expire: keep the photo before the core takes the update in, so a
        # replay after a restart still has it.
        incoming = await keep_on_arrival(incoming, self.keeper)
        try:
            await self._sink(incoming)
        except NotTaken:
            self._seen.discard(key)
            raise
        except Exception:
            # Forget it, so a redelivery gets another chance; the core dedupes on disk.
            self._seen.discard(key)
            log.exception("zalo bot %s: the sink failed on an update", self.bot)
            return False
        return True

    def routes(self) -> list[web.RouteDef]:
        """The webhook route on the shared web server (none when polling)."""
        if self.mode != "webhook":
            return []
        return [web.post(self.webhook_path, self._webhook)]

    async def _webhook(self, request: web.Request) -> web.Response:
        if self._sink is None or self._stopping:
            # The shared web server is up before platforms start and after they stop; a call
            # then is refused rather than lost (whether Zalo retries it is unknown [G]).
            return web.json_response({"ok": False}, status=503)
        try:
            updates = await read_updates(request, secret=self._secret)
        except Refused as exc:
            log.warning("zalo bot %s: webhook call refused: %s", self.bot, exc.reason)
            return exc.response()
        if self._stopping:
            # stop() began while the body arrived: the core may no longer take anything in.
            return web.json_response({"ok": False}, status=503)
        self.last_receive_at = time.monotonic()
        # Zalo hears 200 only once the core took every update in, and the core makes each one
        # durable first (then handles it in a task of its own, so this is quick): a crash before
        # the answer loses nothing, and a redelivery is dropped by its message id. The work is
        # a task stop() waits for, shielded from the request's cancellation.
        task = asyncio.create_task(self._take_all(updates))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if not await asyncio.shield(task):
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})

    async def _take_all(self, updates: list[dict[str, object]]) -> bool:
        """Hand each update to the sink; False when the sink failed on one (its id was then
        forgotten, so a redelivery gets another chance). When the core could not take one in
        (its disk is full, it is stopping), those after it are not offered either."""
        taken = True
        for update in updates:
            try:
                await self._handle(update)
            except NotTaken as exc:
                log.debug("zalo bot %s: webhook update not taken in: %s", self.bot, exc)
                return False
            key = message_key(update)
            taken = taken and (not key or key in self._seen)
        return taken

    # -- sending ---------------------------------------------------------------------------

    async def send(self, out: Outgoing) -> SentRef:
        """Send text (split at 2000) or a photo by URL. Buttons are rendered by the core."""
        if out.poll:
            msg = "zalo has no polls: ask in text"
            raise BadRequest(msg)
        try:
            if out.file is not None:
                ids = await self._send_file(out)
            else:
                ids = await self._send_text(out.chat.id, out.text)
        except ZaloError as exc:
            raise self._neutral(exc) from None
        self._send_failures = 0
        return SentRef(out.chat, tuple(ids))

    async def _send_text(self, chat_id: str, text: str) -> list[str]:
        if not text.strip():
            msg = "zalo cannot send an empty message"
            raise BadRequest(msg)
        # A failure after the first part leaves the earlier parts sent; a retry by the core
        # repeats them (at-least-once delivery, as the design accepts).
        ids: list[str] = []
        # Zalo does not say whether its 2000 counts code points or UTF-16 units: the larger.
        for part in split_text(text, MAX_TEXT, length=counted_length):
            result = await self.client.send_message(chat_id, part)
            ids += self._confirmed(result)
        return ids

    def _confirmed(self, result: dict[str, object]) -> list[str]:
        """The message id Zalo answered, if any. Groups are beta: a send may answer ok without
        one, and nothing then says it arrived. It is not sent again (the month's quota counts
        every try, and it may well have arrived): it stays without an id, unconfirmed."""
        message_id = str(result.get("message_id") or "")
        if not message_id:
            log.warning("zalo bot %s: a send was not confirmed (no message id)", self.bot)
            return []
        return [message_id]

    async def _send_file(self, out: Outgoing) -> list[str]:
        file = out.file
        assert file is not None
        if not file.url:
            # The Bot API takes files by URL only, and has no documents at all.
            msg = "zalo can send a file only by its public URL"
            raise BadRequest(msg)
        if file.kind != "photo":
            return await self._send_text(out.chat.id, f"{out.text}\n{file.url}".strip())
        caption = out.text if counted_length(out.text) <= MAX_TEXT else None
        result = await self.client.send_photo(out.chat.id, file.url, caption)
        ids = self._confirmed(result)
        if caption is None and out.text.strip():
            ids += await self._send_text(out.chat.id, out.text)
        return ids

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of a file that came with an incoming message: kept at its arrival, else a
        GET of its URL (20 MB)."""
        kept = read_kept(attachment, self.keeper)
        return kept if kept is not None else await fetch_attachment(attachment)

    def _neutral(self, exc: ZaloError) -> DeliveryError:
        """The neutral send error; a transient one waits per our backoff (Zalo gives none)."""
        wait = 0.0
        if isinstance(exc, ZaloRetryable | ZaloTimeout):
            wait = self.backoff.delay(self._send_failures)
            self._send_failures += 1
        return delivery_error(exc, retry_after=wait)

    # -- what Zalo does not have -----------------------------------------------------------

    async def edit(
        self,
        chat: ChatRef,
        message_id: str,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> None:
        msg = "zalo cannot edit messages"
        raise BadRequest(msg)

    async def edit_buttons(
        self, chat: ChatRef, message_id: str, buttons: tuple[tuple[Button, ...], ...]
    ) -> None:
        msg = "zalo has no buttons to edit"
        raise BadRequest(msg)

    async def pin(self, chat: ChatRef, message_id: str) -> None:
        msg = "zalo bots cannot pin messages"
        raise BadRequest(msg)

    async def answer_callback(self, callback_id: str, text: str = "") -> None:
        return None  # no buttons, so no callbacks

    async def is_group_admin(self, chat: ChatRef, user: UserRef) -> bool | None:
        return None  # the Bot API has no member or admin lookup

    async def hears_group(self, chat: ChatRef | None = None) -> bool | None:
        return False  # a Zalo bot in a group hears only mentions of it and replies to it

    async def set_commands(self, commands: dict[str, list[BotCommand]]) -> None:
        return None  # no command menu on Zalo

    async def send_typing(self, chat: ChatRef) -> None:
        """Show "typing…" for about 5 s; failures do not matter."""
        try:
            await self.client.send_chat_action(chat.id, "typing")
        except ZaloError as exc:
            log.debug("zalo bot %s: typing not shown (%s)", self.bot, exc)
