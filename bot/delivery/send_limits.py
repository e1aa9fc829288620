"""Send rate limits per platform bot, counted in sliding windows as the platforms count them;
replies first.

Telegram allows about 30 calls in any second for a bot, 20 in any minute into a group and 1 a
second into a chat. Spacing calls evenly (one every 1/30 s, less a safety share) loses every
moment a timer fires late, for good: a broadcast ran at ~27 a second of the 30 allowed. Counting
the calls of the last window, as the platform does, uses the whole budget.

The platform counts a call when it arrives, we when it leaves; between the two the loop or the
machine may stall, and then the calls held up behind the stall go out together. So each call is
dated again when its answer comes (`Slot.done`): it arrived no later than that, whatever
stalled. (An answer slower than `settle` dates it `settle` after it left: a connection stuck
that long is no measure of anything.) Each window is also counted a margin longer. The cost is
a round trip per window: over a 200 ms link, 30 calls take 1.2 s, not 1 s.

Time is the limiter's `Ticker` (the event loop's in production, moved by hand in tests).

Several instances send for one bot (bot.app.cluster.role): each keeps to 1/N of the bot's total
(`set_share`), and every message into a chat also reserves its moment in the database (`pace`),
since a chat's limit allows no share: one message a second, whichever instance sends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.clock import LoopTicker, Ticker
from bot.core.messages import ChatKind, ChatRef

log = logging.getLogger(__name__)

# Several instances: how much later than it left a message into a chat may reach the platform,
# as the next instance to send there assumes until the platform answered. The whole `settle`
# would space one instance's own burst into a chat by two seconds; the local windows already
# date its own messages by their answers, and another instance's message waits this long more.
PACE_SETTLE = 0.25

# Chat limiters are cheap but one per chat ever seen would grow without end; an idle one is
# back to full capacity after its window, so forgetting the least recently used is safe.
MAX_CHAT_LIMITERS = 5000


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Messages per period; None switches a limit off."""

    per_second_total: float | None = 30
    per_minute_per_group: float | None = 20
    per_second_per_chat: float | None = 1
    # Seconds added to each window (see the module's doc). The bot's total is counted closely,
    # since a broadcast lives on it; a chat's 1 a second, where that matters little, loosely.
    margin: float = 0.01
    chat_margin: float = 0.1
    settle: float = 1.0


class Window:
    """At most `count` calls in any `span` seconds (a sliding window)."""

    __slots__ = ("count", "margin", "per_period", "period", "span", "times")

    def __init__(self, per_period: float, period: float, margin: float) -> None:
        self.per_period, self.period, self.margin = per_period, period, margin
        self.times: deque[list[float]] = deque()  # [when], redated by Slot.done
        self.rescale(1)

    def rescale(self, share: int) -> None:
        """Allow 1/`share` of the limit (several instances send for one bot); the calls counted
        so far stay counted."""
        per_period = self.per_period / max(share, 1)
        # 30 a second: 30 in any 1.01 s; 20 a minute: 20 in any 60.1 s; half a message a
        # second: 1 in any 2.1 s.
        self.count = max(1, int(per_period))
        self.span = self.count * self.period / per_period + self.margin

    def wait(self, now: float) -> float:
        """Seconds until one more call fits (0 if it fits now)."""
        times, cutoff = self.times, now - self.span
        while times and times[0][0] <= cutoff:
            times.popleft()
        live = sorted(t for (t,) in times if t > cutoff)
        if len(live) < self.count:
            return 0.0
        return live[len(live) - self.count] + self.span - now

    def take(self, now: float) -> list[float]:
        entry = [now]
        self.times.append(entry)
        return entry

    @property
    def spacing(self) -> float:
        """The average gap between calls that keep going at the limit."""
        return self.span / self.count


class ChatPace(Protocol):
    """Moments reserved for the messages into each chat, shared by every instance."""

    def reserve_send(self, chat_key: str, spacing: float, settle: float) -> tuple[float, int]: ...

    def sent(self, chat_key: str, token: int, spacing: float) -> None: ...


class Slot:
    """One call's places in its windows; `done()` once the platform has answered."""

    __slots__ = ("entries", "left", "on_done", "settle", "ticker")

    def __init__(
        self, entries: list[list[float]], left: float, settle: float, ticker: Ticker
    ) -> None:
        self.entries = entries
        self.left = left
        self.settle = settle
        self.ticker = ticker
        self.on_done: Callable[[], None] | None = None

    def done(self) -> None:
        """Date the call to its answer (it arrived by then), or `settle` after it left."""
        if self.entries:
            when = min(self.ticker.monotonic(), self.left + self.settle)
            for entry in self.entries:
                entry[0] = max(entry[0], when)
        if self.on_done is not None:
            on_done, self.on_done = self.on_done, None
            on_done()


async def _wait_for(windows: tuple[Window, ...], ticker: Ticker) -> None:
    while (wait := max(w.wait(ticker.monotonic()) for w in windows)) > 0:
        await ticker.sleep(wait)


class _ChatLimit:
    """A chat's windows (a group has two: a second and a minute); its messages take their
    turns one at a time, in the order they came."""

    __slots__ = ("lock", "windows")

    def __init__(self, windows: tuple[Window, ...]) -> None:
        self.windows = windows
        self.lock = asyncio.Lock()


class SendLimiter:
    """Holds each send until the bot's and the chat's limits allow it; urgent sends first."""

    def __init__(self, limits: RateLimits, *, ticker: Ticker | None = None) -> None:
        self.limits = limits
        self.ticker = ticker or LoopTicker()
        total = limits.per_second_total
        self._total = (Window(total, 1.0, limits.margin),) if total else ()
        self._total_lock = asyncio.Lock()
        self._chats: OrderedDict[str, _ChatLimit] = OrderedDict()
        self.share = 1  # instances sending for this bot (bot.app.cluster.role sets it)
        self.pace: ChatPace | None = None  # several instances: chats' moments in the database
        self._urgent_waiting = 0
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()

    def set_share(self, instances: int) -> None:
        """Several instances send for this bot: each keeps to 1/`instances` of the bot's total,
        so together they keep to the platform's (which counts per bot, not per process). A
        chat's own limit is kept through `pace`, shared in the database."""
        instances = max(instances, 1)
        if instances == self.share:
            return
        self.share = instances
        for window in self._total:
            window.rescale(instances)

    def _windows(self, chat: ChatRef) -> tuple[Window, ...]:
        lim = self.limits
        periods = [(lim.per_second_per_chat, 1.0)]
        if chat.kind is ChatKind.GROUP:
            periods.append((lim.per_minute_per_group, 60.0))
        return tuple(Window(rate, period, lim.chat_margin) for rate, period in periods if rate)

    def _chat_limit(self, chat: ChatRef) -> _ChatLimit | None:
        limit = self._chats.get(chat.key)
        if limit is None:
            windows = self._windows(chat)
            if not windows:
                return None
            limit = self._chats[chat.key] = _ChatLimit(windows)
            if len(self._chats) > MAX_CHAT_LIMITERS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat.key)
        return limit

    def spacing(self, chat: ChatRef) -> float:
        """Seconds between messages that keep going into `chat` at its limit (0: unlimited)."""
        limit = self._chat_limit(chat)
        return max(w.spacing for w in limit.windows) if limit is not None else 0.0

    def chat_ready(self, chat: ChatRef) -> bool:
        """Whether a message into `chat` would go without waiting for the chat's own limit."""
        limit = self._chat_limit(chat)
        if limit is None:
            return True
        now = self.ticker.monotonic()
        return not limit.lock.locked() and all(w.wait(now) <= 0 for w in limit.windows)

    async def acquire(self, chat: ChatRef, *, urgent: bool) -> Slot:
        """Wait for the chat's turn, then for room in the bot's total; bulk waits while replies
        wait. The chat's window counts the message from when the total lets it go: counted
        from an earlier moment, the queue for the total would shorten it as the platform sees
        it. Call `done()` on the slot when the platform has answered."""
        limit = self._chat_limit(chat)
        if limit is None:
            entries = await self._acquire_total(urgent=urgent)
            return Slot(entries, self.ticker.monotonic(), self.limits.settle, self.ticker)
        async with limit.lock:
            await _wait_for(limit.windows, self.ticker)
            sent = await self._paced(chat, limit) if self.pace is not None else None
            entries = await self._acquire_total(urgent=urgent)
            now = self.ticker.monotonic()
            entries += [window.take(now) for window in limit.windows]
        slot = Slot(entries, now, self.limits.settle, self.ticker)
        slot.on_done = sent
        return slot

    async def _paced(self, chat: ChatRef, limit: _ChatLimit) -> Callable[[], None] | None:
        """Wait for the moment the database gives this chat's next message (other instances
        send into it too); returns what to call once the platform has answered."""
        assert self.pace is not None
        pace, spacing = self.pace, max(w.spacing for w in limit.windows)
        try:
            wait, token = pace.reserve_send(chat.key, spacing, PACE_SETTLE)
        except Exception as exc:  # the database is away: the local windows still hold
            log.warning(
                "chat pace not shared (%s): sending on the local limits", type(exc).__name__
            )
            return None
        if wait > 0:
            await self.ticker.sleep(wait)

        def sent() -> None:
            try:
                pace.sent(chat.key, token, spacing)
            except Exception as exc:
                log.warning("chat pace not shortened (%s)", type(exc).__name__)

        return sent

    async def _acquire_total(self, *, urgent: bool) -> list[list[float]]:
        if not self._total:
            return []
        if not urgent:
            await self._no_urgent.wait()
            return await self._take_total()
        self._urgent_waiting += 1
        self._no_urgent.clear()
        try:
            return await self._take_total()
        finally:
            self._urgent_waiting -= 1
            if self._urgent_waiting == 0:
                self._no_urgent.set()

    async def _take_total(self) -> list[list[float]]:
        async with self._total_lock:  # first come, first served
            await _wait_for(self._total, self.ticker)
            return [self._total[0].take(self.ticker.monotonic())]
