"""A chat's turn across instances: one instance at a time handles a chat's events.

The turn is a row in the database (bot.store.postgres.cluster), renewed by its holder's beat and
free again within `dead_after` seconds when the holder dies. Waiting is polite: a short poll
that backs off, and that ends as soon as the event was handled by whoever had the turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol


class TurnTable(Protocol):
    def take_turn(self, chat_key: str) -> bool: ...

    def give_turn(self, chat_key: str) -> None: ...


class SharedTurns:
    """Takes and gives chats' turns in the database for this instance."""

    def __init__(self, table: TurnTable, *, first_wait: float = 0.02, most: float = 0.25) -> None:
        self.table = table
        self.first_wait = first_wait
        self.most = most

    async def take(self, chat_key: str, *, done: Callable[[], bool]) -> bool:
        """Wait for the chat's turn and return True holding it; False (not holding it) as soon
        as `done()` says the event waited for was handled elsewhere."""
        wait = self.first_wait
        while not self.table.take_turn(chat_key):
            if done():
                return False
            await asyncio.sleep(wait)
            wait = min(wait * 2, self.most)
        return True

    def give(self, chat_key: str) -> None:
        self.table.give_turn(chat_key)
