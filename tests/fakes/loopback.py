"""LoopbackServer: an aiohttp app on 127.0.0.1 with a free port, and the log of what it saw."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One API request a fake received: when, which bot token, which method, with what."""

    at: float
    token: str
    method: str
    params: dict[str, Any]
    status: int = 0
    ok: bool = True
    hung: bool = False  # answered only after a Hang was released (its arrival is logged too)


@dataclass
class RequestLog:
    """Every request a fake received, in order, with its time (monotonic seconds)."""

    entries: list[LoggedRequest] = field(default_factory=list)

    def add(self, entry: LoggedRequest) -> None:
        self.entries.append(entry)

    def calls(self, method: str | None = None, *, token: str | None = None) -> list[LoggedRequest]:
        """The logged requests, optionally only of one API method and one token."""
        return [
            e
            for e in self.entries
            if (method is None or e.method == method) and (token is None or e.token == token)
        ]

    def count(self) -> int:
        return len(self.entries)


class LoopbackServer:
    """Runs an aiohttp Application on 127.0.0.1:0 and exposes its base URL."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> str:
        # A long poll whose client died (kill -9) is cancelled instead of handing the next update
        # to a closed socket: the update stays queued for the next poller, as a server that
        # watches its connections would do. Without this a restart test loses one message.
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp keeps the bound socket here; port 0 needs it read back
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def monotonic() -> float:
    """The fakes' clock for request logs and flood windows: the running event loop's time, as
    the bot's send limits count it (the default loop's is time.monotonic(); a test's virtual
    loop moves both together)."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


def poll_pauses() -> Iterator[float]:
    """Pauses between checks of a condition a test waits for: short at first, since an answer
    in the same process mostly comes within milliseconds, then every 10 ms."""
    yield from (0.001, 0.002, 0.004)
    while True:
        yield 0.01


class ResponseHold:
    """Holds the answer to the k-th successful call of a method: the platform has done it, but the
    bot has not heard so. Kill the bot then, and that message was in flight when it died."""

    def __init__(
        self, method: str, k: int, *, match: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        self.method = method
        self.k = k
        self.match = match
        self.seen = 0
        self.reached = asyncio.Event()
        self._release = asyncio.Event()

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method != self.method or (self.match is not None and not self.match(params)):
            return
        self.seen += 1
        if self.seen == self.k:
            self.reached.set()
            await self._release.wait()  # until released, or cancelled when the client dies

    def release(self) -> None:
        self._release.set()


class Hang:
    """An API that hangs: every request of the given methods (all when none are given) is taken
    in and then left without an answer, and without being carried out, until `release()`.
    A client that gives up (its timeout) closes the connection, and the request is dropped with
    it; requests still waiting at `release()` are carried out and answered as usual."""

    def __init__(self, *methods: str) -> None:
        self.methods = {m.lower() for m in methods}
        self.hung = 0  # requests left without an answer so far
        self._released = asyncio.Event()

    def applies(self, method: str) -> bool:
        return not self._released.is_set() and (not self.methods or method.lower() in self.methods)

    async def wait(self) -> None:
        self.hung += 1
        await self._released.wait()

    def release(self) -> None:
        self._released.set()
