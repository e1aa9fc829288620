"""Checks on a Zalo webhook request: secret header, content type, size, JSON body shape."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from aiohttp import web

from bot.platforms.webhook_body import BodyRefused, read_body
from bot.platforms.zalo.updates import unwrap

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
MAX_BODY = 1024 * 1024  # S4 caps webhook bodies at 1 MB too
# Seconds for a body to arrive whole, from the end of the headers: a sender (or a proxy
# streaming for it) that stalls gets 408 instead of holding the handler.
BODY_TIMEOUT = 30.0


class Refused(Exception):
    """The request is not a valid webhook call; `status` is the HTTP answer for it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> web.Response:
        return web.json_response({"ok": False, "description": self.reason}, status=self.status)


async def read_updates(request: web.Request, *, secret: str) -> list[dict[str, Any]]:
    """The updates in a webhook call, or Refused (401, 415, 413, 408, 400) before any is
    processed."""
    given = request.headers.get(SECRET_HEADER, "")
    # Zalo echoes the shared secret (not an HMAC): compare in constant time, never accept "".
    if not secret or not secrets.compare_digest(given.encode(), secret.encode()):
        raise Refused(401, "wrong secret")
    if request.content_type != "application/json":
        raise Refused(415, "expected application/json")
    try:
        raw = await read_body(request, limit=MAX_BODY, timeout=BODY_TIMEOUT)
    except BodyRefused as refused:
        raise Refused(refused.status, refused.reason) from None
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    # Flat `{event_name, message}` (live traffic) and wrapped `{ok, result}` (docs) both work;
    # an object with neither an event name nor a message is no update.
    updates = [
        u
        for u in unwrap(body)
        if isinstance(u.get("event_name"), str) or isinstance(u.get("message"), dict)
    ]
    if not updates:
        raise Refused(400, "no update in body")
    return updates

