"""The injectable time of the process: real time in production, moved by hand in tests.

Two kinds: a `Clock` tells the date and time (what is stored, shown, scheduled); a `Ticker`
counts monotonic seconds and waits on them (send limits, the intake throttle, edit spacing).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; tests use it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            msg = "ManualClock needs an aware datetime"
            raise ValueError(msg)
        self._now = start.astimezone(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every move (the scheduler re-times its jobs); returns the
        function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by `delta` or by timedelta keyword arguments (minutes=5)."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        self._moved()
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)
        self._moved()

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()


class Ticker(Protocol):
    """Monotonic seconds (only differences mean anything), and a wait measured in them."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""

    async def sleep(self, seconds: float) -> None:
        """Return once `seconds` have passed on this ticker."""


class LoopTicker:
    """The running event loop's time and `asyncio.sleep`: what production uses. (The default
    loop's time is `time.monotonic()`, which is also read outside a loop.)"""

    def monotonic(self) -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualTicker:
    """A ticker that only moves when told to; a sleeper wakes once time has passed its end."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._order = itertools.count()  # sleepers that end together wake in the order they came
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), wake))
        await wake

    def next_wake(self) -> float | None:
        """When the first sleeper still waiting ends (None: nobody sleeps)."""
        while self._sleepers and self._sleepers[0][2].done():  # cancelled meanwhile
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` and wake every sleeper whose end has come; the new time."""
        if seconds < 0:
            msg = "a monotonic ticker never goes back"
            raise ValueError(msg)
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, wake = heapq.heappop(self._sleepers)
            if not wake.done():
                wake.set_result(None)
        return self._now
