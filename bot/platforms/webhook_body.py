"""Reading a webhook call's body whole, for every platform's webhook: however many pieces it
comes in (a proxy in front may stream it), bounded in size and in time."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError


class BodyRefused(Exception):
    """The body cannot be taken: `status` is the HTTP answer (413, 408 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: web.Request, *, limit: int, timeout: float) -> bytes:
    """The whole body. 413 as soon as it is known to pass `limit` (declared, or counted as a
    chunked body comes in: reading stops there), 408 when it has not all come within `timeout`
    seconds of the headers, 400 when it breaks off."""
    if (request.content_length or 0) > limit:
        raise BodyRefused(413, "body too large")
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            while chunk := await request.content.readany():
                body += chunk
                if len(body) > limit:
                    raise BodyRefused(413, "body too large")
    except TimeoutError:
        raise BodyRefused(408, "body too slow") from None
    except (ConnectionError, HttpProcessingError):
        raise BodyRefused(400, "body broken off") from None
    return bytes(body)
