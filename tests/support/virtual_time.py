"""An event loop on virtual time, for in-process tests that would otherwise wait out real rate
limits, retry waits and timeouts.

The loop's clock (`loop.time()`) is real time plus every idle wait it skipped: whenever the
loop has nothing to do (no callback ready, no socket with data, no thread working for it by
`run_in_executor` or `asyncio.to_thread`, no child process it started still running) it jumps
to its next timer instead of sleeping. Work takes the real time it takes, so busy stretches
unfold as on a real loop.

Everything in the process that counts time on the loop moves with it: the bot's send limits
and intake throttle (their `LoopTicker`), its timeouts and retry waits (`asyncio.sleep`,
aiohttp's timeouts), the fakes' flood windows and request logs
(`tests.fakes.loopback.monotonic`), and a `LoopClock` given to the bot as its wall clock. So a
limit is still counted by the fake on the same time the bot's limiter uses; only the waiting
is skipped.

tests/conftest.py gives this loop to the tests that drive a World (a bot in the test's own
process) and to those marked `@pytest.mark.virtual_time`. A bot in another process counts on
real time: tests of one (BotProcess) stay on the ordinary loop.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")


class _Selector(selectors.DefaultSelector):
    """Polls without blocking while the loop is idle, and moves the loop's time instead."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        loop = self.loop
        if loop is None or timeout == 0:
            return super().select(timeout)
        if timeout is None or loop.in_threads or loop.in_children:
            # No timer to jump to, or a thread or a child process works for the loop: what it
            # does takes real time, so wait as a real loop does.
            return super().select(timeout)
        events = super().select(0)
        if not events:
            loop.skipped += timeout  # nothing can happen before the next timer: go there
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose time jumps over idle waits (see the module's doc)."""

    def __init__(self) -> None:
        selector = _Selector()
        super().__init__(selector)
        selector.loop = self
        self.skipped = 0.0  # seconds of idle waiting jumped over so far
        self.in_threads = 0  # executor jobs running for the loop
        self.in_children = 0  # child processes started on the loop, not yet exited

    def time(self) -> float:
        return time.monotonic() + self.skipped

    def run_in_executor(
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        future = super().run_in_executor(executor, func, *args)
        self.in_threads += 1
        future.add_done_callback(self._thread_done)
        return future

    def _thread_done(self, _: asyncio.Future[Any]) -> None:
        self.in_threads -= 1

    async def subprocess_exec(  # type: ignore[override]
        self, protocol_factory: Callable[[], asyncio.SubprocessProtocol], *args: Any, **kw: Any
    ) -> tuple[asyncio.SubprocessTransport, asyncio.SubprocessProtocol]:
        return await super().subprocess_exec(self._counted(protocol_factory), *args, **kw)

    async def subprocess_shell(  # type: ignore[override]
        self, protocol_factory: Callable[[], asyncio.SubprocessProtocol], *args: Any, **kw: Any
    ) -> tuple[asyncio.SubprocessTransport, asyncio.SubprocessProtocol]:
        return await super().subprocess_shell(self._counted(protocol_factory), *args, **kw)

    def _counted(
        self, protocol_factory: Callable[[], asyncio.SubprocessProtocol]
    ) -> Callable[[], asyncio.SubprocessProtocol]:
        """The child counts from its protocol's making until it exits."""

        def make() -> asyncio.SubprocessProtocol:
            protocol = protocol_factory()
            exited = protocol.process_exited
            self.in_children += 1

            def process_exited() -> None:
                self.in_children -= 1
                exited()

            protocol.process_exited = process_exited  # type: ignore[method-assign]
            return protocol

        return make


class LoopClock:
    """A wall clock that moves with an event loop's time: a date for the bot that agrees with
    its (virtual) seconds, so a retry due in 2 s is due after 2 s of the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, start: datetime | None = None) -> None:
        self.loop = loop
        self.start = start or datetime.now(UTC)
        self.started_at = loop.time()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.loop.time() - self.started_at)
