"""Intake of platform events: drop repeats, keep each chat in order, stop cleanly.

What an event meets here, in order, before the dispatcher's steps (bot.app.pipeline):

1. stopping (`submit`): nothing new is taken while the bot drains for a stop.
2. throttle (`_admit`): one person's flood, or a chat with too much waiting, is refused before
   it costs a task, with one polite reply per burst.
3. durable receipt (`submit`): the event is written down before the platform hears back, so a
   crash replays it at the next start (`replay_waiting`).
4. de-duplication (`process`): an update id already handled, or in hand, is dropped.
5. order per chat (`process`): one event of a chat at a time, in arrival order.
6. open (`process`): nothing is handled (or answered) before the platforms can send.
7. the dispatcher; the event is marked handled even when its handler failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import TYPE_CHECKING

from bot.app.intake_throttle import Throttle, Verdict
from bot.core.messages import Incoming

if TYPE_CHECKING:
    from bot.app.dispatch import Dispatcher
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)


class Inbound:
    """Hands each new event to the dispatcher exactly once per update id, in order per chat."""

    def __init__(
        self,
        *,
        store: Store,
        dispatcher: Dispatcher,
        clock: Clock,
        throttle: Throttle | None = None,
        max_waiting_per_chat: int = 50,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock
        self.throttle = throttle
        self.max_waiting = max_waiting_per_chat
        self._waiting: Counter[str] = Counter()
        self.throttled = 0
        # Set once the platforms can send: a replayed event waits for it (holding its chat's
        # turn, so newer events of that chat still come after it).
        self._open = asyncio.Event()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._inflight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._accepting = True
        self.handled = 0
        self.duplicates = 0

    @staticmethod
    def key(inc: Incoming) -> str:
        return f"{inc.chat.platform}:{inc.chat.bot}:{inc.kind}:{inc.update_id}"

    async def submit(self, inc: Incoming) -> None:
        """The platforms' sink: returns at once, the work goes on in a task."""
        if not self._accepting:
            log.info("event refused while stopping platform=%s", inc.chat.platform)
            return
        if not self._admit(inc):
            return
        key = self.key(inc)
        if key not in self._inflight and not self.store.inbound.seen(key):
            # Durable before the platform hears back (the next poll, the webhook's 200): a
            # crash from here on loses nothing, the start replays it (replay_waiting).
            self.store.inbound.receive(key, inc, at=self.clock.now())
        self._spawn(inc)

    def _spawn(self, inc: Incoming) -> None:
        chat = inc.chat.key
        self._waiting[chat] += 1
        task = asyncio.create_task(self.process(inc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._left(chat))

    def open(self) -> None:
        """The platforms are up: events may be handled (and answered) from now on."""
        self._open.set()

    def replay_waiting(self) -> int:
        """After a crash: handle what was taken in but not marked handled, in arrival order."""
        waiting = self.store.inbound.waiting()
        for inc in waiting:
            self._spawn(inc)
        if waiting:
            log.warning("intake resumed %d events taken in before a crash", len(waiting))
        return len(waiting)

    def _left(self, chat: str) -> None:
        self._waiting[chat] -= 1
        if self._waiting[chat] <= 0:
            del self._waiting[chat]

    def _admit(self, inc: Incoming) -> bool:
        """One person's flood is refused before it costs a task: beyond their rate (with one
        polite reply per burst), or when their chat already has too much waiting."""
        verdict = Verdict.ALLOW
        if self.throttle is not None and not inc.sender_is_bot:
            verdict = self.throttle.check(inc.sender.key)
        if verdict is Verdict.ALLOW and self._waiting[inc.chat.key] < self.max_waiting:
            return True
        self.throttled += 1
        if verdict is Verdict.WARN:
            log.info("person over the intake limit platform=%s", inc.chat.platform)
            task = asyncio.create_task(self.dispatcher.tell(inc, "intake.slow_down"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return False

    async def process(self, inc: Incoming) -> None:
        key = self.key(inc)
        if key in self._inflight or self.store.inbound.seen(key):
            self.duplicates += 1
            log.info("duplicate update dropped platform=%s", inc.chat.platform)
            return
        self._inflight.add(key)
        chat = inc.chat.key
        lock, users = self._locks.get(chat) or (asyncio.Lock(), 0)
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                await self._open.wait()
                try:
                    await self.dispatcher.handle(inc)
                finally:
                    # Marked even when a handler failed: the person got the apology already, and
                    # a replay of the same failing update would only repeat it.
                    self.store.inbound.mark(key, at=self.clock.now())
                    self.handled += 1
        finally:
            self._inflight.discard(key)
            lock, users = self._locks[chat]
            # The lock is dropped only when nobody holds or waits for it, so order per chat holds.
            if users <= 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)

    async def drain(self) -> None:
        """Stop accepting and wait for the handlers already running."""
        self._accepting = False
        self._open.set()  # stopping before the platforms were up: let what waits finish
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
