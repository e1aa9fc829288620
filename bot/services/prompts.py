"""The one pending question per person and chat, answered by a typed reply or a bare number."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.messages import Incoming
from bot.models import Prompt

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.store.base import Store


class Prompts:
    """Stores prompts so that a restart does not forget what the bot asked."""

    def __init__(self, *, store: Store, clock: Clock, ttl: timedelta) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl

    def set(
        self, inc: Incoming, *, kind: str, data: dict[str, Any], ttl: timedelta | None = None
    ) -> None:
        expires = self.clock.now() + (ttl or self.ttl)
        self.store.prompts.set(Prompt(inc.chat.key, inc.sender.key, kind, data, expires))

    def get(self, inc: Incoming) -> tuple[Prompt | None, bool]:
        """The live prompt for this person here, and whether an expired one was just dropped."""
        prompt = self.store.prompts.get(inc.chat.key, inc.sender.key)
        if prompt is None:
            return None, False
        if prompt.expires_at is not None and prompt.expires_at <= self.clock.now():
            self.store.prompts.clear(inc.chat.key, inc.sender.key)
            return None, True
        return prompt, False

    def clear(self, inc: Incoming) -> bool:
        had = self.store.prompts.get(inc.chat.key, inc.sender.key) is not None
        self.store.prompts.clear(inc.chat.key, inc.sender.key)
        return had
