"""The one pending question per person and chat, answered by a typed reply or a bare number."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.messages import Incoming, Outgoing
from bot.core.models import Prompt
from bot.delivery.sender import chat_from_key

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.sender import Delivery
    from bot.store.base import PeopleRepo, Store


def waiting(prompt: Prompt | None, now: datetime) -> bool:
    """Whether `prompt` is a question still waiting for its answer: not the marker an ended
    question leaves, not run out."""
    if prompt is None or prompt.ended:
        return False
    return prompt.expires_at is None or prompt.expires_at > now


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
            return None, not prompt.ended
        return prompt, False

    def live(self, inc: Incoming) -> Prompt | None:
        """The question waiting for this person's answer here, if any; nothing changes (an
        expired one is left for `get` and the sweep, which tell the person)."""
        prompt = self.store.prompts.get(inc.chat.key, inc.sender.key)
        return prompt if waiting(prompt, self.clock.now()) else None

    def take_expired(self) -> list[Prompt]:
        """Prompts nobody answered in time, removed so each is told about once (the markers
        of ended questions go too, untold)."""
        return [p for p in self.store.prompts.take_expired(now=self.clock.now()) if not p.ended]

    def clear(self, inc: Incoming) -> bool:
        prompt = self.store.prompts.get(inc.chat.key, inc.sender.key)
        had = prompt is not None and not prompt.ended
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
