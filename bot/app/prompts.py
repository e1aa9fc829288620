"""The one pending question per person and chat, answered by a typed reply or a bare number."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.messages import Incoming, Outgoing
from bot.core.models import Prompt
from bot.delivery.sender import chat_from_key

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.sender import Delivery
    from bot.store.base import PeopleRepo, Store


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
        prompt = Prompt(inc.chat.key, inc.sender.key, kind, data, expires, str(inc.chat.kind))
        self.store.prompts.set(prompt)

    def get(self, inc: Incoming) -> tuple[Prompt | None, bool]:
        """The live prompt for this person here, and whether an expired one was just dropped."""
        prompt = self.store.prompts.get(inc.chat.key, inc.sender.key)
        if prompt is None:
            return None, False
        if prompt.expires_at is not None and prompt.expires_at <= self.clock.now():
            self.store.prompts.clear(inc.chat.key, inc.sender.key)
            return None, True
        return prompt, False

    def take_expired(self) -> list[Prompt]:
        """Prompts nobody answered in time, removed so each is told about once."""
        return self.store.prompts.take_expired(now=self.clock.now())

    def clear(self, inc: Incoming) -> bool:
        had = self.store.prompts.get(inc.chat.key, inc.sender.key) is not None
        self.store.prompts.clear(inc.chat.key, inc.sender.key)
        return had


async def tell_expired(prompts: Prompts, delivery: Delivery, people: PeopleRepo) -> int:
    """Tell each person whose question ran out that nothing was kept; returns how many."""
    told = 0
    for prompt in prompts.take_expired():
        person = people.by_account(prompt.user_key)
        lang = (person.language if person else "") or delivery.default_lang
        name = person.name if person else ""
        text = delivery.translate(lang, "prompt.expired_note", name=name)
        chat = chat_from_key(prompt.chat_key, prompt.chat_kind)
        if await delivery.send(Outgoing(chat, text), lang=lang) is not None:
            told += 1
    return told
