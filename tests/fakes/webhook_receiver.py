"""A fake receiver of the bot's outgoing webhooks: what a province dashboard would run.

It checks each request as docs/webhooks.md tells a receiver to (written from the document, not
from the bot's code: the fakes share nothing with the bot): the HMAC-SHA256 signature over
`<X-Bot-Timestamp>.<raw body>` under the shared secret, a timestamp close to its own clock,
and the event id already seen (a repeat is answered 200 and not kept twice). A test scripts
its answers (fail the next N requests, refuse everything with one status) and reads what it
received and kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer, monotonic

PATH = "/hooks/bot"
TOLERANCE = 300  # seconds a timestamp may be off the receiver's clock (replays are older)


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float, tolerance: int = TOLERANCE
) -> str:
    """The documented check; returns "" when the request is genuine, else why not."""
    stamp = headers.get("X-Bot-Timestamp", "")
    given = headers.get("X-Bot-Signature", "")
    if not stamp.isdigit() or not given.startswith("sha256="):
        return "missing timestamp or signature"
    if abs(now - int(stamp)) > tolerance:
        return "timestamp too far from now (a replay?)"
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.removeprefix("sha256="), expected):
        return "bad signature"
    return ""


@dataclass(frozen=True, slots=True)
class Received:
    """One request as it arrived, with the answer given."""

    at: float  # the loop's time (tests.fakes.loopback.monotonic)
    headers: dict[str, str]
    body: bytes
    status: int
    problem: str = ""  # why the signature check refused it ("" if genuine)

    @property
    def event(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.body)
        return doc


@dataclass
class WebhookReceiver:
    """The receiver on 127.0.0.1; `url` is where the bot posts."""

    secret: str
    # The receiver's wall clock (unix seconds), to judge timestamps; a test on virtual time
    # gives it the bot's.
    clock: Callable[[], float] = time.time
    requests: list[Received] = field(default_factory=list)
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id -> event, in order
    _fail: list[int] = field(default_factory=list)  # statuses of the next requests to fail
    _always: int = 0  # answer every request with this status (0: behave)
    _server: LoopbackServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(PATH, self._handle)
        self._server = LoopbackServer(app)
        await self._server.start()
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the receiver first"
        return f"{self._server.base_url}{PATH}"

    def fail_next(self, times: int, *, status: int = 503) -> None:
        """Answer the next `times` requests with `status` (a server having trouble)."""
        self._fail.extend([status] * times)

    def always(self, status: int) -> None:
        """Answer every request with `status` from now on (0: accept again)."""
        self._always = status

    def accepted(self) -> list[Received]:
        """The requests answered 2xx, in order of arrival."""
        return [r for r in self.requests if 200 <= r.status < 300]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        status, problem = self._answer(headers, body)
        self.requests.append(Received(monotonic(), headers, body, status, problem))
        return web.json_response({"ok": 200 <= status < 300}, status=status)

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        if self._always:
            return self._always, ""
        if self._fail:
            return self._fail.pop(0), ""
        problem = verify(self.secret, headers, body, now=self.clock())
        if problem:
            return 401, problem
        event = json.loads(body)
        if event.get("id") != headers.get("X-Bot-Event-Id"):
            return 400, "event id header and body differ"
        self.kept.setdefault(event["id"], event)  # a repeat is accepted, kept once
        return 200, ""
