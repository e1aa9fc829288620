"""The fake Telegram delivering webhooks as Telegram does, over several connections at once.

tests/fakes' FakeTelegram POSTs a bot's queued updates one at a time, each after the previous
one was answered: right for tests (order is easy to reason about), but Telegram keeps up to
`max_connections` webhook calls open at once (setWebhook's parameter; 40 by default), so one
update's answer never holds up the others. Here each queued update is POSTed as soon as one of
`max_connections` slots is free; an update is taken off the queue when its call begins and put
back at its head if the answer is not 2xx (counted in `failures`: none is expected).

`targets`: the instances' base URLs. A webhook URL (the bot's public address) is POSTed to the
next target in turn, its path kept: what the load balancer in front of several instances does
in production (docs/deploy.md), without a hop of its own here. Each target's count of calls
is kept in `calls`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_model import BotState

MAX_CONNECTIONS = 40  # Telegram's default for setWebhook's max_connections


class WebhookTelegram(FakeTelegram):
    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__()
        self.max_connections = max_connections
        self.targets: list[str] = []
        self.calls: Counter[str] = Counter()
        self.failures = 0
        self._turn = 0
        self._slots = asyncio.Semaphore(max_connections)
        self._session: aiohttp.ClientSession | None = None
        self._posts: set[asyncio.Task[None]] = set()

    async def stop(self) -> None:
        for task in list(self._posts):
            task.cancel()
        await asyncio.gather(*self._posts, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    async def _deliver(self, bot: BotState) -> tuple[int, bool]:
        """Start a call for each queued update as slots free up; return how many started."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections),
                timeout=aiohttp.ClientTimeout(total=60),
            )
        started = 0
        while bot.webhook_url and self._pending(bot) and self.targets:
            await self._slots.acquire()
            if not (bot.webhook_url and self._pending(bot)):
                self._slots.release()
                break
            update = bot.updates.pop(0)
            task = asyncio.create_task(self._post(bot, update))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)
            started += 1
        return started, False

    async def _post(self, bot: BotState, update: dict[str, Any]) -> None:
        assert self._session is not None
        try:
            target = self.targets[self._turn % len(self.targets)]
            self._turn += 1
            url = target.rstrip("/") + urlsplit(bot.webhook_url).path
            headers = {"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret}
            try:
                async with self._session.post(url, json=update, headers=headers) as resp:
                    status = resp.status
                    await resp.read()
            except aiohttp.ClientError:
                status = 0
            self.calls[target] += 1
            if not 200 <= status < 300:
                self.failures += 1
                await asyncio.sleep(self.webhook_retry_delay)
                bot.updates.insert(0, update)
                bot.notify()
        finally:
            self._slots.release()
