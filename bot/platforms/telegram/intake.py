"""Telegram updates coming in: long polling that confirms only what the core took in, and the
checks of a webhook call."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram import error as tg

from bot.core.platform import NotTaken
from bot.platforms.telegram.http import AiohttpRequest
from bot.platforms.webhook_body import BodyRefused, read_body

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "poll_answer"]
MAX_WEBHOOK_BODY = 1024 * 1024
# Seconds for a webhook body to arrive whole, from the end of the headers: a sender (or a proxy
# streaming for it) that stalls gets 408 instead of holding the handler.
WEBHOOK_BODY_TIMEOUT = 30.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Seconds before asking again for an update the core could not take in, doubling up to the
# most: a full disk freed is noticed within REFUSED_MAX_WAIT.
REFUSED_FIRST_WAIT, REFUSED_MAX_WAIT = 1.0, 8.0

# Takes one update in; raises NotTaken when the core could not (the update must stay unconfirmed).
Take = Callable[[Update], Awaitable[None]]


class PollRequest(AiohttpRequest):
    """The getUpdates connection; notes each answered poll for the health check."""

    def __init__(self, on_success: Callable[[], None], *, read_timeout: float) -> None:
        super().__init__(connection_pool_size=1, read_timeout=read_timeout)
        self._on_success = on_success

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == 200:
            self._on_success()
        return status, payload


async def poll(bot: Bot, take: Take, *, timeout: int) -> None:
    """Long polling. An update's offset is confirmed (by the next getUpdates) only after `take`
    took it in, and the core makes it durable first: a crash loses nothing, and what comes
    again is dropped by its update id. Updates are taken in one at a time, in order; each is
    handled in a task of its own, so a batch costs no more than its intake. When the core
    cannot take one in (NotTaken: its disk is full), the offset stays on it and Telegram is
    asked again after a pause, so it and those behind it come again, in order."""
    offset: int | None = None
    wait = 1.0
    refused_wait = REFUSED_FIRST_WAIT
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
        except (tg.InvalidToken, tg.Forbidden) as err:
            log.error("telegram polling stopped: %s", type(err).__name__)
            return
        except tg.TelegramError as err:
            # PTB retries getUpdates itself with backoff; the message never includes the token.
            log.warning("telegram polling failed: %s: %s", type(err).__name__, err.message)
            await asyncio.sleep(wait)
            wait = min(wait * 2, 30.0)
            continue
        wait = 1.0
        refused = False
        for update in updates:
            try:
                await take(update)
            except NotTaken as exc:
                log.warning(
                    "telegram update %s not taken in (%s); asking again in %.0f s",
                    update.update_id, exc, refused_wait,
                )  # fmt: skip
                refused = True
                break
            offset = update.update_id + 1
        if refused:
            await asyncio.sleep(refused_wait)
            refused_wait = min(refused_wait * 2, REFUSED_MAX_WAIT)
        else:
            refused_wait = REFUSED_FIRST_WAIT


async def webhook_update(request: web.Request, *, secret: str, bot: Bot | None) -> Update | int:
    """The update a webhook call carries, or the HTTP status that refuses it (wrong secret,
    too large, not running: `bot` is None, unreadable). A body that does not arrive whole
    within WEBHOOK_BODY_TIMEOUT raises HTTPRequestTimeout (408)."""
    given = request.headers.get(SECRET_HEADER, "")
    if not secrets.compare_digest(given.encode(), secret.encode()):
        log.warning("telegram webhook call with a wrong or missing secret refused")
        return 401
    try:
        body = await read_body(request, limit=MAX_WEBHOOK_BODY, timeout=WEBHOOK_BODY_TIMEOUT)
    except BodyRefused as refused:
        if refused.status != 408:
            return refused.status
        log.warning("telegram webhook body not received within %ss", WEBHOOK_BODY_TIMEOUT)
        raise web.HTTPRequestTimeout(text=refused.reason) from None
    if bot is None:
        return 503  # Telegram will redeliver
    try:
        data = json.loads(body)
        update = Update.de_json(data, bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError):
        update = None
    return 400 if update is None else update
