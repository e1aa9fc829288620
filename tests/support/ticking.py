"""Async work on a ManualTicker that moves by itself: whenever every task is parked, time jumps
to the end of the first sleep, so a test of limits waits for no real second."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from bot.core.clock import ManualTicker

T = TypeVar("T")

# Turns of the event loop after which the work counts as parked. The work is in memory only
# (locks, events, the ticker's sleeps), so the same turns pass on every run; a chain of lock
# hand-overs between a few dozen tasks takes far fewer.
TURNS = 200


async def run_moving(ticker: ManualTicker, work: Awaitable[T]) -> T:
    """Await `work`, moving `ticker` to its next sleeper's end each time the work is parked."""
    task = asyncio.ensure_future(work)
    while True:
        for _ in range(TURNS):
            if task.done():
                return task.result()
            await asyncio.sleep(0)
        wake = ticker.next_wake()
        if wake is None:
            task.cancel()
            msg = "the work is stuck on something other than the ticker"
            raise AssertionError(msg)
        ticker.advance(wake - ticker.monotonic())
