"""Shared pieces of the Zalo transport tests: tokens, a fast backoff and a collecting sink."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.core.messages import Incoming
from bot.platforms.zalo.client import Backoff

TOKEN = "1234567890:tokSECRETone"
TOKEN2 = "9876543210:tokSECRETtwo"
SECRET = "webhook-secret-1"
FAST = Backoff(initial=0.01, maximum=0.05)


class Sink:
    """Collects what the platform hands to the core."""

    def __init__(self) -> None:
        self.got: list[Incoming] = []

    async def __call__(self, incoming: Incoming) -> None:
        self.got.append(incoming)

    async def wait(self, n: int = 1, timeout: float = 5.0) -> list[Incoming]:
        await until(lambda: len(self.got) >= n, timeout)
        return self.got


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Bounded polling until `condition()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
