"""FakeTelegram: a stateful Bot API server on 127.0.0.1 that PTB can use unchanged."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.loopback import (
    Hang,
    LoggedRequest,
    LoopbackServer,
    RequestLog,
    monotonic,
    poll_pauses,
)
from tests.fakes.telegram_actions import ANONYMOUS_ADMIN, ChatActions
from tests.fakes.telegram_model import (
    ANONYMOUS_ADMIN_ID,
    ApiError,
    BotState,
    ChatMessage,
    FakeChat,
    FakeUser,
    SentMessage,
)
from tests.fakes.telegram_world import Params, error_response

__all__ = [
    "ANONYMOUS_ADMIN", "ANONYMOUS_ADMIN_ID", "ChatMessage", "FakeChat", "FakeTelegram",
    "FakeUser", "SentMessage",
]  # fmt: skip

log = logging.getLogger(__name__)


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    left: int


class FakeTelegram(ChatActions):
    """The fake Bot API. Routes: `/bot{token}/{method}` and `/file/bot{token}/{file_path}`.

    Point PTB at it with `.base_url(f"{fake.base_url}/bot")` and
    `.base_file_url(f"{fake.base_url}/file/bot")`. Deviations from Telegram, on purpose:
    webhook URLs may be plain http (loopback), and files sent by URL are fetched only from
    127.0.0.1. Webhook delivery runs in a background task per bot once setWebhook is called;
    `await deliver_webhooks()` delivers explicitly. Bots in groups obey privacy mode unless
    added with `can_read_all_group_messages=True` or the group has `bot_is_admin=True`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.log = RequestLog()
        self.latency = 0.0  # seconds each answer is delayed, to simulate a slow API
        # Awaited after a successful call, before its answer (see loopback.ResponseHold).
        self.hold: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
        self.hang: Hang | None = None  # an outage by timeout: requests get no answer at all
        self.webhook_deliveries = []
        # The internet as Telegram's servers see it (as FakeZalo's): a webhook set to a public
        # base URL here (a proxy's name in production) is POSTed to the loopback server it leads
        # to. Other URLs are POSTed to as they are.
        self.public_hosts = {}
        self._limits = {}
        self._failures: dict[str, list[_Failure]] = {}
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._server = LoopbackServer(app)
        self._methods = {
            name.removeprefix("api_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("api_")
        }

    @property
    def base_url(self) -> str:
        return self._server.base_url

    async def start(self) -> str:
        """Listen on a free loopback port; return the base URL."""
        self.closing = False
        return await self._server.start()

    async def stop(self) -> None:
        """End long polls and webhook senders, then close the server."""
        self.closing = True
        if self.hang is not None:
            self.hang.release()
        for bot in self.bots.values():
            bot.notify()
            if bot.webhook_task is not None:
                bot.webhook_task.cancel()
                bot.webhook_task = None
        await asyncio.sleep(0)  # let woken long polls answer before the server shuts down
        await self._server.stop()

    # --- test controls -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (any token) with this error."""
        failure = _Failure(status, description, retry_after, times)
        self._failures.setdefault(method.lower(), []).append(failure)

    def _injected(self, method: str) -> ApiError | None:
        queue = self._failures.get(method.lower())
        if not queue:
            return None
        failure = queue[0]
        failure.left -= 1
        if failure.left <= 0:
            queue.pop(0)
        return ApiError(failure.status, failure.description, retry_after=failure.retry_after)

    # --- reading -------------------------------------------------------------------------

    def history(self, chat: FakeChat, *, bot: str | None = None) -> list[ChatMessage]:
        """Every message of the chat as the bot sees it (people's and bots'), in order."""
        conv = self.conv(self.default_bot(bot), chat)
        return [m.view() for m in conv.messages.values()]

    def sent(
        self, chat: FakeChat, *, bot: str | None = None, include_deleted: bool = False
    ) -> list[SentMessage]:
        """The bot's messages in the chat, in order (deleted ones only on request)."""
        state = self.default_bot(bot)
        me = state.user.id
        return [
            m.view()
            for m in self.conv(state, chat).messages.values()
            if m.data["from"]["id"] == me and (include_deleted or not m.deleted)
        ]

    def pinned(self, chat: FakeChat, *, bot: str | None = None) -> list[ChatMessage]:
        return [m for m in self.history(chat, bot=bot) if m.pinned]

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """The first bot's menus: (scope JSON, language_code) → [{command, description}]."""
        return self.default_bot().commands

    def menu(self, language_code: str = "", *, bot: str | None = None) -> list[tuple[str, str]]:
        """The default-scope menu for a language as (command, description) pairs."""
        key = (json.dumps({"type": "default"}), language_code)
        return [
            (c["command"], c["description"]) for c in self.default_bot(bot).commands.get(key, [])
        ]

    def pending(self, *, bot: str | None = None) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by getUpdates or a webhook answer."""
        return list(self._pending(self.default_bot(bot)))

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def bot_state(self, token: str | None = None) -> BotState:
        """The internal state of a bot (webhook url, allowed_updates…), for assertions."""
        return self.default_bot(token)

    async def wait_sent(
        self, chat: FakeChat, n: int = 1, timeout: float = 5.0, *, bot: str | None = None
    ) -> list[SentMessage]:
        """Poll (bounded) until the bot has sent at least `n` messages to `chat`."""
        loop = asyncio.get_running_loop()
        deadline, pauses = loop.time() + timeout, poll_pauses()
        while len(sent := self.sent(chat, bot=bot)) < n:
            if loop.time() >= deadline:
                msg = f"bot sent {len(sent)} of {n} messages to chat {chat.id} in {timeout}s"
                raise TimeoutError(msg)
            await asyncio.sleep(next(pauses))
        return sent

    async def wait_polling(self, timeout: float = 5.0, *, bot: str | None = None) -> None:
        """Poll (bounded) until a getUpdates call of the bot is blocked in its long poll."""
        state = self.default_bot(bot)
        loop = asyncio.get_running_loop()
        deadline, pauses = loop.time() + timeout, poll_pauses()
        while state.polls_waiting == 0:
            if loop.time() >= deadline:
                msg = f"no long poll started within {timeout}s"
                raise TimeoutError(msg)
            await asyncio.sleep(next(pauses))

    # --- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            params = await _read_params(request)
        except ApiError as err:
            params, early = {}, err
        else:
            early = None
        hung = self.hang is not None and self.hang.applies(method)
        if self.hang is not None and hung:
            self._record(token, method, params, 0)  # status 0: taken in, not answered (yet)
            await self.hang.wait()
        if self.latency:
            await asyncio.sleep(self.latency)
        bot = self.bots.get(token)
        func = self._methods.get(method.lower())
        try:
            if bot is None:
                raise ApiError(401, "Unauthorized")
            if func is None:
                raise ApiError(404, "Not Found")
            if early is not None:
                raise early
            injected = self._injected(method)
            if injected is not None:
                raise injected
            result = await func(bot, Params(params))
        except ApiError as err:
            self._record(token, method, params, err.status, hung=hung)
            return error_response(err)
        self._record(token, method, params, 200, hung=hung)
        if self.hold is not None:
            await self.hold(method, params)
        return web.json_response({"ok": True, "result": result})

    def _record(
        self, token: str, method: str, params: dict[str, Any], status: int, *, hung: bool = False
    ) -> None:
        shown = {
            k: f"<file {v[0]!r}, {len(v[1])} bytes>" if isinstance(v, tuple) else v
            for k, v in params.items()
        }
        self.log.add(
            LoggedRequest(monotonic(), token, method, shown, status, status == 200, hung=hung)
        )

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.bots:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        data = self.file_by_path(request.match_info["path"])
        if data is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=data, content_type="application/octet-stream")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then a JSON body, form fields or multipart parts (files as tuples)."""
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        params.update(body)
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = (value.filename, value.file.read(), value.content_type)
        else:
            params[name] = value
    return params
