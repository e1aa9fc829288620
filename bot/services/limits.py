"""Send rate limits per platform bot: the total (aiolimiter), each chat spaced; replies first."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from bot.messages import ChatKind, ChatRef

# Chat limiters are cheap but one per chat ever seen would grow without end; an idle one is
# back to full capacity after its period, so forgetting the least recently used is safe.
MAX_CHAT_LIMITERS = 5000


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Messages per period; None switches a limit off."""

    per_second_total: float | None = 30
    per_minute_per_group: float | None = 20
    per_second_per_chat: float | None = 1
    # Stay a little under the platform's numbers: timers and clocks are never exact.
    safety: float = 0.95


def _spaced(count: float | None, period: float, safety: float) -> AsyncLimiter | None:
    """A limiter that lets one message through every period/count seconds, with no burst.

    A leaky bucket as large as the limit would allow a burst plus the steady rate inside one
    window, i.e. up to twice the limit in a sliding window; a bucket of one cannot.
    """
    if not count:
        return None
    return AsyncLimiter(1, period / (count * safety))


class _ChatSpacing:
    """One message per `period` into one chat, counted from when each message really goes;
    messages into the chat take their turns one at a time, in the order they came."""

    __slots__ = ("lock", "next_at", "period")

    def __init__(self, period: float) -> None:
        self.period = period
        self.next_at = 0.0  # loop time from which the next message may go
        self.lock = asyncio.Lock()


def _chat_spacing(count: float | None, period: float, safety: float) -> _ChatSpacing | None:
    return _ChatSpacing(period / (count * safety)) if count else None


class SendLimiter:
    """Holds each send until the bot's and the chat's limits allow it; urgent sends first."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._total = _spaced(limits.per_second_total, 1.0, limits.safety)
        self._chats: OrderedDict[str, _ChatSpacing] = OrderedDict()
        self._urgent_waiting = 0
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()

    def _chat_limiter(self, chat: ChatRef) -> _ChatSpacing | None:
        limiter = self._chats.get(chat.key)
        if limiter is None:
            lim = self.limits
            if chat.kind is ChatKind.GROUP:
                limiter = _chat_spacing(lim.per_minute_per_group, 60.0, lim.safety)
            else:
                limiter = _chat_spacing(lim.per_second_per_chat, 1.0, lim.safety)
            if limiter is None:
                return None
            self._chats[chat.key] = limiter
            if len(self._chats) > MAX_CHAT_LIMITERS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat.key)
        return limiter

    def spacing(self, chat: ChatRef) -> float:
        """Seconds between two messages into `chat` under its limit (0 when unlimited)."""
        limiter = self._chat_limiter(chat)
        return limiter.period if limiter is not None else 0.0

    def chat_ready(self, chat: ChatRef) -> bool:
        """Whether a message into `chat` would go without waiting for the chat's own limit."""
        limiter = self._chat_limiter(chat)
        if limiter is None:
            return True
        return not limiter.lock.locked() and limiter.next_at <= asyncio.get_running_loop().time()

    async def acquire(self, chat: ChatRef, *, urgent: bool) -> None:
        """Wait for the chat's turn, then for a slot in the bot's total; bulk waits while replies
        wait. The chat's gap counts from when the total lets the message go: counted from an
        earlier moment, the queue for the total would shorten it as the platform sees it."""
        chat_limiter = self._chat_limiter(chat)
        if chat_limiter is None:
            await self._acquire_total(urgent=urgent)
            return
        loop = asyncio.get_running_loop()
        async with chat_limiter.lock:
            wait = chat_limiter.next_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._acquire_total(urgent=urgent)
            chat_limiter.next_at = loop.time() + chat_limiter.period

    async def _acquire_total(self, *, urgent: bool) -> None:
        if self._total is None:
            return
        if not urgent:
            await self._no_urgent.wait()
            await self._total.acquire()
            return
        self._urgent_waiting += 1
        self._no_urgent.clear()
        try:
            await self._total.acquire()
        finally:
            self._urgent_waiting -= 1
            if self._urgent_waiting == 0:
                self._no_urgent.set()
