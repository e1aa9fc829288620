"""Polled Zalo updates the core could not take in (its disk is full), kept to offer again.

Zalo's getUpdates has no offset: an update it handed out is not handed out again (or, as S7
measured, handed back whatever the bot did with it), so one the core refused lives only here.
They are offered again oldest first, before anything polled after them, after a pause that
doubles up to MAX_WAIT while the core keeps refusing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from bot.core.platform import NotTaken
from bot.platforms.zalo.updates import message_key

FIRST_WAIT, MAX_WAIT = 1.0, 8.0  # seconds
MAX_HELD = 1000  # past this many, polling waits and leaves the rest at Zalo

Update = dict[str, object]


class Held:
    """The refused updates in arrival order, and how long to wait before the next offer."""

    def __init__(self) -> None:
        self._updates: deque[Update] = deque()
        self._keys: set[str] = set()
        self.wait = FIRST_WAIT

    def __len__(self) -> int:
        return len(self._updates)

    @property
    def full(self) -> bool:
        return len(self._updates) >= MAX_HELD

    def add(self, update: Update, *, taken: Callable[[str], bool]) -> bool:
        """Keep `update` behind the others; False when it carries no message, or is held or
        `taken` already (Zalo may hand consumed updates back)."""
        key = message_key(update)
        if not key or key in self._keys or taken(key):
            return False
        self._updates.append(update)
        self._keys.add(key)
        return True

    async def offer(self, handle: Callable[[Update], Awaitable[object]]) -> bool:
        """Hand the held updates to `handle`, oldest first; False when it raised NotTaken (that
        update and those behind it stay held, and the next pause is longer)."""
        while self._updates:
            try:
                await handle(self._updates[0])
            except NotTaken:
                self.wait = min(self.wait * 2, MAX_WAIT)
                return False
            self._keys.discard(message_key(self._updates.popleft()))
        self.wait = FIRST_WAIT
        return True

    def clear(self) -> int:
        """Forget them all (the bot stops); how many there were."""
        count = len(self._updates)
        self._updates.clear()
        self._keys.clear()
        return count
