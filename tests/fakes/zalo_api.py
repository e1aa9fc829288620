"""FakeZalo: a stateful fake Zalo Bot API on loopback, with test-side actions and assertions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiohttp
from aiohttp import web

from tests.fakes.flood import FloodLimiter
from tests.fakes.loopback import Hang, LoopbackServer, RequestLog, poll_pauses
from tests.fakes.zalo_http import ZaloHttp
from tests.fakes.zalo_media import ZaloMedia
from tests.fakes.zalo_methods import Fault
from tests.fakes.zalo_model import (
    GROUP,
    PRIVATE,
    BotState,
    ChatState,
    WebhookDelivery,
    ZaloChat,
    ZaloMessage,
    ZaloUser,
    hex_id,
    now_ms,
    update_json,
)

log = logging.getLogger(__name__)


class FakeZalo(ZaloMedia, ZaloHttp):
    """A fake of bot-api.zaloplatforms.com for several bots, serving `/bot{token}/{method}`.

    Options for what the sources disagree on ([X]/[G] in zalo-bot-api.md):
    `redeliver`: consumed updates come back on every later poll (S7 measured it; S5 says no).
    `webhook_shape`: "flat" `{event_name, message}` as live traffic, or "wrapped" `{ok, result}`
    as the docs show. `errors_as_http_200`: refusals come with HTTP 200 and ok:false, as
    measured for getMe; False sends the error code as HTTP status (the idle 408 and the
    getWebhookInfo 404 always use their measured HTTP status). `strip_group_mention`: whether
    Zalo removes the "@Bot…" prefix from group texts (unknown; kept by default).
    `getme_display_name`: getMe also answers `display_name` (one source, S9); by default it
    answers the documented `{id, account_name, account_type, can_join_groups}` only.
    `offline_loss`: a message sent while a polling bot is offline (no long poll open and none
    ended within `offline_after` seconds) is lost, kept in `BotState.lost` (one source); by
    default it waits in the queue for the next poll.
    `confirm_group_sends`: a send to a (beta) group answers its `message_id`, as documented;
    False answers ok without one, so the bot cannot tell whether it arrived.
    `idle_error_code`: the idle 408 also carries `error_code` (S3, S4, S13); measured without
    (S7, the default). `idle_status=504`: an idle poll ends in a gateway's 504 (S3 tolerates it).
    `quota_counts_incoming`: the monthly quota counts the messages people send to the bot as
    well as its own (one template says so [X]); by default only the bot's sends count, as the
    pricing page reads.
    """

    def __init__(
        self,
        *,
        redeliver: bool = False,
        webhook_shape: Literal["flat", "wrapped"] = "flat",
        allow_http_webhook: bool = False,
        errors_as_http_200: bool = True,
        echo_bot_messages: bool = False,
        strip_group_mention: bool = False,
        getme_display_name: bool = False,
        offline_loss: bool = False,
        offline_after: float = 2.0,
        idle_error_code: bool = False,
        idle_status: Literal[408, 504] = 408,
        confirm_group_sends: bool = True,
        quota_counts_incoming: bool = False,
    ) -> None:
        self.redeliver = redeliver
        self.webhook_shape = webhook_shape
        self.allow_http_webhook = allow_http_webhook
        self.errors_as_http_200 = errors_as_http_200
        self.echo_bot_messages = echo_bot_messages
        self.strip_group_mention = strip_group_mention
        self.getme_display_name = getme_display_name
        # Contested [X]: messages sent while a polling bot is offline are kept (default) or lost.
        self.offline_loss = offline_loss
        self.offline_after = offline_after  # seconds without a poll that count as offline
        # How an idle getUpdates ends: measured HTTP 408 without `error_code` (S7) [X].
        self.idle_error_code = idle_error_code
        self.idle_status = idle_status
        # Groups are beta: whether a group send answers its message_id is unconfirmed [G].
        self.confirm_group_sends = confirm_group_sends
        # Contested [X]: whether the monthly quota counts incoming messages too.
        self.quota_counts_incoming = quota_counts_incoming
        self.latency = 0.0  # seconds added before every answer
        # Awaited after a successful call, before its answer (see loopback.ResponseHold).
        self.hold: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
        self.hang: Hang | None = None  # an outage by timeout: requests get no answer at all
        self.flood_error: tuple[int, str] = (429, "Too many requests")  # undocumented mode
        self.quota_description = "Quota exceeded"  # Zalo's 429 wording is not documented
        # A send to a chat the bot cannot reach (never wrote to it, or unknown): the code is
        # Zalo's documented 404 "not found"; the words are not documented, so not ours.
        self.unreachable_error: tuple[int, str] = (404, "Không tìm thấy người nhận")
        self.closing = False
        self.polls_waiting = 0  # getUpdates calls holding their long poll open right now
        self.log = RequestLog()
        self.bots: dict[str, BotState] = {}
        self.chats: dict[tuple[str, str], ChatState] = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.media_fetches: list[tuple[str, int]] = []  # (url, status) Zalo fetched for a send
        # The internet as Zalo's servers see it: a public base URL (a proxy's name in
        # production) and the loopback server it leads to. Any other name does not resolve.
        self.public_hosts: dict[str, str] = {}
        self.media: dict[str, tuple[bytes, str]] = {}  # files Zalo hosts: people's photos, voice
        self.media_expiry: dict[str, float] = {}  # name → loop time its URL stops answering
        self.media_gets: list[tuple[str, int]] = []  # (URL, status) of every GET of a hosted file
        self._faults: list[Fault] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/media/{name}", self._media)
        self._server = LoopbackServer(app)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; returns the base URL for the client."""
        self.closing = False
        self._session = aiohttp.ClientSession()
        return await self._server.start()

    async def stop(self) -> None:
        """End open long polls (they get the idle answer), stop webhook posts and the server."""
        self.closing = True
        if self.hang is not None:
            self.hang.release()
        for bot in self.bots.values():
            bot.arrived.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def base_url(self) -> str:
        return self._server.base_url

    # -- set-up by the test ----------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        *,
        name: str = "Bot Dân số",
        monthly_quota: int = 3000,
        max_users: int = 50,
        max_groups: int = 3,
    ) -> BotState:
        """Register a bot; the token is `<bot_id>:<secret>` as Zalo issues them."""
        if not name.startswith("Bot"):
            msg = "Zalo bot names must start with 'Bot'"
            raise ValueError(msg)
        bot_id = token.split(":", 1)[0] if ":" in token else hex_id(token, "bot")
        bot = BotState(
            token=token, name=name, id=bot_id, monthly_quota=monthly_quota,
            max_users=max_users, max_groups=max_groups, me_display_name=self.getme_display_name,
        )  # fmt: skip
        self.bots[token] = bot
        return bot

    def undocumented_flood_limits(
        self,
        per_second_total: int | None = None,
        per_second_per_chat: int | None = None,
        *,
        bot: str | None = None,
        error_code: int = 429,
        description: str = "Too many requests",
    ) -> None:
        """UNDOCUMENTED flood mode: per-second send limits Zalo does not publish. Zalo's only
        documented 429 is "quota exceeded", and the transport takes any 429 as that (the bot's
        month is then spent), so a test turning this on checks that the bot never hits it."""
        self.flood_error = (error_code, description)
        for state in [self._bot(bot)] if bot else self.bots.values():
            state.flood = FloodLimiter(
                per_second_total=per_second_total, per_second_per_chat=per_second_per_chat
            )

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        times: int = 1,
        http_status: int = 200,
        bot: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (e.g. 403 "internal server error")."""
        self._faults.append(Fault(method, bot, error_code, description, http_status, times))

    def user(self, display_name: str, *, bot: str | None = None) -> ZaloUser:
        """A person who can write to `bot`; the same person gets another id through another bot."""
        state = self._bot(bot)
        if len(state.users) >= state.max_users:
            msg = f"the bot already has {state.max_users} users (the plan's limit)"
            raise ValueError(msg)
        person = ZaloUser(display_name, state.token, hex_id(state.token, display_name))
        state.users.append(person)
        self.chats[(state.token, person.id)] = ChatState(ZaloChat(person.id, PRIVATE, state.token))
        return person

    def group(self, title: str, *, bot: str | None = None) -> ZaloChat:
        """A beta GROUP chat where an admin activated `bot` (so it may post there)."""
        state = self._bot(bot)
        if len(state.groups) >= state.max_groups:
            msg = f"the bot already is in {state.max_groups} groups (the plan's limit)"
            raise ValueError(msg)
        chat = ZaloChat(hex_id(state.token, title), GROUP, state.token, title)
        state.groups.append(chat)
        self.chats[(state.token, chat.id)] = ChatState(chat, reachable=True)
        return chat

    def private(self, person: ZaloUser) -> ZaloChat:
        """The private chat of `person` with their bot (its id is the person's id)."""
        return self.chats[(person.bot, person.id)].chat

    # -- actions by the test ---------------------------------------------------------------

    async def type_as(
        self, person: ZaloUser, chat: ZaloChat | None, text: str, *, reply_to: str | None = None
    ) -> dict[str, Any] | None:
        """`person` writes `text` (chat None: their private chat); returns the update or None
        when Zalo would not pass it on (a group message that neither mentions nor replies)."""
        mention = f"@{self.bots[person.bot].name}"
        mentioned = mention.casefold() in text.casefold()
        if chat is not None and chat.is_group and self.strip_group_mention:
            if text.casefold().startswith(mention.casefold()):
                text = text[len(mention) :].lstrip()
        return await self._deliver(
            person, chat, "message.text.received", {"text": text}, "text",
            mentioned=mentioned, reply_to=reply_to,
        )  # fmt: skip

    async def send_image_as(
        self,
        person: ZaloUser,
        chat: ZaloChat | None,
        photo_url: str,
        *,
        caption: str = "",
        field: Literal["photo_url", "photo"] = "photo_url",
        reply_to: str | None = None,
    ) -> dict[str, Any] | None:
        """`person` sends an image; sources disagree on `photo_url` vs `photo` [X], so pick one."""
        payload = {field: photo_url, "caption": caption}
        return await self._deliver(
            person, chat, "message.image.received", payload, "photo",
            mentioned=f"@{self.bots[person.bot].name}".casefold() in caption.casefold(),
            reply_to=reply_to,
        )  # fmt: skip

    async def send_sticker_as(
        self, person: ZaloUser, chat: ZaloChat | None = None, sticker: str = "bfe4a6d9e39c0ac25"
    ) -> dict[str, Any] | None:
        """`person` sends a sticker (an id plus its image URL, as S4 and S12 show)."""
        payload = {"sticker": sticker, "url": f"https://stickers.zaloapp.com/{sticker}.png"}
        return await self._deliver(person, chat, "message.sticker.received", payload, "sticker")

    async def send_voice_as(
        self, person: ZaloUser, chat: ZaloChat | None, voice_url: str
    ) -> dict[str, Any] | None:
        """`person` sends a voice note: `message.voice.received` with `voice_url` (S12)."""
        payload = {"voice_url": voice_url}
        return await self._deliver(person, chat, "message.voice.received", payload, "voice")

    async def send_link_as(
        self, person: ZaloUser, chat: ZaloChat | None, url: str, *, text: str = ""
    ) -> dict[str, Any] | None:
        """`person` shares a link: `message.link.received` (S4, S13; not in the docs seen). Its
        fields are not documented: `url`, and `text` when the person wrote some."""
        payload = {"url": url, **({"text": text} if text else {})}
        return await self._deliver(person, chat, "message.link.received", payload, "link")

    async def send_unsupported_as(
        self, person: ZaloUser, chat: ZaloChat | None = None
    ) -> dict[str, Any] | None:
        """`person` sends something the Bot API does not carry (a file, a contact card), or is a
        protected sender (a child, a person with a disability or who cannot read): Zalo then
        withholds the content on purpose, so the message carries none (late-2026 notes)."""
        return await self._deliver(person, chat, "message.unsupported.received", {}, "unsupported")

    # -- assertions by the test ------------------------------------------------------------

    def history(self, chat: ZaloChat) -> list[ZaloMessage]:
        """Every message in the chat, people's and the bot's, oldest first."""
        return list(self.chats[(chat.bot, chat.id)].messages)

    def sent(self, chat: ZaloChat) -> list[ZaloMessage]:
        """The bot's messages in the chat, oldest first."""
        return [m for m in self.history(chat) if m.from_bot]

    async def wait_sent(
        self, chat: ZaloChat, n: int = 1, timeout: float = 5.0
    ) -> list[ZaloMessage]:
        """Poll (bounded) until the bot has sent at least `n` messages into `chat`."""
        loop = asyncio.get_running_loop()
        deadline, pauses = loop.time() + timeout, poll_pauses()
        while len(sent := self.sent(chat)) < n:
            if loop.time() > deadline:
                msg = f"bot sent {len(sent)} of {n} expected messages within {timeout}s"
                raise AssertionError(msg)
            await asyncio.sleep(next(pauses))
        return sent

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Poll (bounded) until some getUpdates call is waiting in its long poll."""
        loop = asyncio.get_running_loop()
        deadline, pauses = loop.time() + timeout, poll_pauses()
        while self.polls_waiting == 0:
            if loop.time() > deadline:
                msg = f"no getUpdates call waited within {timeout}s"
                raise AssertionError(msg)
            await asyncio.sleep(next(pauses))

    def quota_used(self, bot: str | None = None) -> int:
        """What the bot's month has used: its sends, and what it received where that counts."""
        return self._bot(bot).quota_used(counts_incoming=self.quota_counts_incoming)

    # -- internals -------------------------------------------------------------------------

    def _bot(self, token: str | None) -> BotState:
        if token is None:
            if len(self.bots) != 1:
                msg = f"name the bot: the fake has {len(self.bots)} bots"
                raise ValueError(msg)
            return next(iter(self.bots.values()))
        return self.bots[token]

    async def _deliver(
        self,
        person: ZaloUser,
        chat: ZaloChat | None,
        event_name: str,
        payload: dict[str, Any],
        kind: str,
        *,
        mentioned: bool = False,
        reply_to: str | None = None,
    ) -> dict[str, Any] | None:
        chat = chat or self.private(person)
        if chat.bot != person.bot:
            msg = "the person and the chat belong to different bots"
            raise ValueError(msg)
        state = self.chats[(chat.bot, chat.id)]
        bot = self.bots[chat.bot]
        # Zalo passes a group message on only when it mentions the bot or replies to it; a
        # photo only when the mention is in its own caption (a reply is not enough; late 2026).
        replied = kind != "photo" and reply_to in state.bot_message_ids()
        heard = not chat.is_group or mentioned or replied
        message = {
            "message_id": hex_id(chat.bot, "in"), "date": now_ms(), "from": person.json(),
            "chat": chat.json(), **payload,
        }  # fmt: skip
        state.messages.append(
            ZaloMessage(
                message_id=message["message_id"], date=message["date"], from_id=person.id,
                from_bot=False, kind=kind, text=payload.get("text", ""),
                photo=payload.get("photo_url", payload.get("photo", payload.get("voice_url", ""))),
                caption=payload.get("caption", ""), sticker=payload.get("sticker", ""),
                reply_to=reply_to, delivered=heard,
            )
        )  # fmt: skip
        if not heard:
            return None
        state.reachable = True
        bot.received_count += 1
        # How Zalo marks a reply inside the update is not known [G]; the fake adds nothing.
        update = update_json(event_name, message)
        await self.enqueue(bot, update)
        return update
