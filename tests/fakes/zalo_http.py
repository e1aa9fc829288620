"""The HTTP side of the fake Zalo server: request parsing, envelopes, faults, webhook posts."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import Hang, LoggedRequest, RequestLog, monotonic
from tests.fakes.zalo_methods import NO_RESULT, Fault, ZaloMethods
from tests.fakes.zalo_model import ApiError, BotState, WebhookDelivery

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
# Community samples call getMe and getUpdates with GET; everything else is documented POST only.
GET_METHODS = ("getMe", "getUpdates")


class ZaloHttp(ZaloMethods):
    """Serves `/bot{token}/{method}` over the methods and posts updates to webhooks."""

    log: RequestLog
    latency: float
    hold: Callable[[str, dict[str, Any]], Awaitable[None]] | None
    hang: Hang | None
    errors_as_http_200: bool
    webhook_shape: str
    webhook_deliveries: list[WebhookDelivery]
    _faults: list[Fault]
    _tasks: set[asyncio.Task[None]]
    _session: aiohttp.ClientSession | None

    async def enqueue(self, bot: BotState, update: dict[str, Any]) -> None:
        if bot.webhook_url:
            await self._post_webhook(bot, update)
        elif self.offline_loss and self.offline(bot):
            # One source: messages sent while a bot is offline are lost [X] (mode).
            bot.lost.append(update)
        else:
            bot.pending.append(update)
            bot.arrived.set()

    def flush_to_webhook(self, bot: BotState) -> None:
        """Updates queued before the webhook was set go to it, in the background."""
        pending = list(bot.pending)
        bot.pending.clear()
        if pending:
            task = asyncio.create_task(self._post_all(bot, pending))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _post_all(self, bot: BotState, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            await self._post_webhook(bot, update)

    async def _post_webhook(self, bot: BotState, update: dict[str, Any]) -> None:
        # Zalo's retry policy after a non-2xx answer is undocumented: the fake does not retry.
        body = update if self.webhook_shape == "flat" else {"ok": True, "result": update}
        headers = {SECRET_HEADER: bot.webhook_secret}
        status = 0
        assert self._session is not None, "start() the fake first"
        try:
            async with self._session.post(bot.webhook_url, json=body, headers=headers) as resp:
                status = resp.status
        except aiohttp.ClientError as exc:
            log.warning("fake zalo: webhook post failed: %s", type(exc).__name__)
        self.webhook_deliveries.append(
            WebhookDelivery(bot.webhook_url, body, status, bot.webhook_secret)
        )

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params: dict[str, Any] = {}
        hung = self.hang is not None and self.hang.applies(method)
        if self.hang is not None and hung:
            # Status 0: taken in, not answered (the client gives up first, or it is released).
            try:
                params = await _read_params(request, method)  # aiohttp keeps the body for later
            except ApiError:
                params = {}
            self.log.add(LoggedRequest(monotonic(), token, method, params, 0, ok=False))
            await self.hang.wait()
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            params = await _read_params(request, method)
            result = await self._call(token, method, params)
            status, body = 200, {"ok": True}
            if result is not NO_RESULT:
                body["result"] = result
        except ApiError as err:
            status = err.http_status or (200 if self.errors_as_http_200 else err.code)
            body = err.body()
        self.log.add(
            LoggedRequest(monotonic(), token, method, params, status, bool(body["ok"]), hung=hung)
        )
        if self.hold is not None and body["ok"]:
            await self.hold(method, params)
        return web.json_response(body, status=status)

    async def _call(self, token: str, method: str, params: dict[str, Any]) -> Any:
        handler = self.handlers().get(method)
        if handler is None:
            raise ApiError(404, "Not Found", http_status=404)
        bot = self.bots.get(token)
        if bot is None:
            # Measured for getMe (S2): HTTP 200, ok:false, 401. Assumed the same for every method.
            raise ApiError(401, "Unauthorized", http_status=200)
        for fault in self._faults:
            if fault.method == method and fault.token in (None, token) and fault.times > 0:
                fault.times -= 1
                raise ApiError(fault.code, fault.description, http_status=fault.http_status)
        return await handler(bot, params)


async def _read_params(request: web.Request, method: str) -> dict[str, Any]:
    """JSON body for POST (empty allowed), query string for GET on getMe/getUpdates."""
    if request.method == "GET":
        if method not in GET_METHODS:
            raise ApiError(400, "Bad Request: use POST")
        return dict(request.query)
    if request.method != "POST":
        raise ApiError(400, "Bad Request: use POST")
    raw = await request.read()
    if not raw.strip():
        return {}
    # Zalo documents JSON bodies; whether it takes form bodies is unknown [G]: the fake refuses.
    try:
        params = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Bad Request: body must be JSON") from None
    if not isinstance(params, dict):
        raise ApiError(400, "Bad Request: body must be a JSON object")
    return params
