"""Acknowledgements of directives: per person, by button, command or typed twin, with the
count on each Telegram group's button kept current."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.events import AckEvent, Events, EventSink
from bot.core.models import Acknowledgement, Directive, OutboxItem, OutboxStatus
from bot.delivery.sender import chat_from_key

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.sender import Delivery
    from bot.features.directives.service import Directives
    from bot.features.directives.text import DirectiveText
    from bot.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AckResult:
    directive: Directive
    new: bool  # False: this person had acknowledged before


class Acks:
    """Records who received a directive and keeps the group buttons' counts right."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        directives: Directives,
        delivery: Delivery,
        text: DirectiveText,
        default_lang: str,
        events: EventSink | None = None,
    ) -> None:
        self.store = store
        # Told of every new acknowledgement (the outgoing webhooks listen): bot/core/events.py.
        self.events: EventSink = events if events is not None else Events()
        self.areas = areas
        self.clock = clock
        self.directives = directives
        self.delivery = delivery
        self.text = text
        self.default_lang = default_lang
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._by_message: dict[str, int] | None = None

    def acknowledge(self, actor: Actor, number: int, *, via: str, chat_key: str) -> AckResult:
        person = actor.person
        if person is None or not person.active:
            raise Forbidden("ack.not_registered")
        directive = self.directives.get(number)
        if person.id not in dict(directive.expected):
            raise UserError("ack.not_for_you", number=number)
        if self.store.acks.get(directive.id, person.id) is not None:
            return AckResult(directive, new=False)
        ack = Acknowledgement(directive.id, person.id, self.clock.now(), via, chat_key)
        area = dict(directive.expected)[person.id]
        with self.store.atomic():
            self.store.acks.add(ack)
            self.events.emit(AckEvent(directive, ack, area))
        log.info("directive=%s acknowledged via=%s", directive.id, via)
        self._refresh_groups(directive, area)
        return AckResult(directive, new=True)

    # --- which directive a message means ---------------------------------------------------

    def for_message(self, chat_key: str, message_id: str) -> int | None:
        """The directive a bot message in a chat carried (a reply "ok" to it means that one)."""
        if self._by_message is None:
            self._by_message = {}
            for directive in self.store.directives.all():
                for item in self._items(directive):
                    self._remember(directive.id, item)
        found = self._by_message.get(f"{chat_key}:{message_id}")
        if found is None:  # sent since the index was built
            for directive in reversed(self.store.directives.all()[-20:]):
                for item in self._items(directive):
                    self._remember(directive.id, item)
            found = self._by_message.get(f"{chat_key}:{message_id}")
        return found

    def _remember(self, directive_id: int, item: OutboxItem) -> None:
        assert self._by_message is not None
        for message_id in item.message_ids:
            self._by_message[f"{item.chat_key}:{message_id}"] = directive_id

    def latest_open(self, actor: Actor) -> Directive | None:
        """The newest directive expecting this person that they have not acknowledged."""
        person = actor.person
        if person is None:
            return None
        for directive in reversed(self.store.directives.all()):
            if person.id in dict(directive.expected) and (
                self.store.acks.get(directive.id, person.id) is None
            ):
                return directive
        return None

    # --- counts on group buttons -------------------------------------------------------------

    def group_count(self, directive: Directive, area: str) -> tuple[int, int]:
        """(acknowledged, expected) among the people under a group's area."""
        acked = self.store.acks.for_directive(directive.id)
        expected = [p for p, a in directive.expected if self.areas.contains(area, a)]
        return sum(1 for p in expected if p in acked), len(expected)

    def _items(self, directive: Directive) -> list[OutboxItem]:
        if directive.job_id is None:
            return []
        return self.store.outbox.for_job(directive.job_id)

    def _refresh_groups(self, directive: Directive, person_area: str) -> None:
        """Update the button under the directive in every group covering the person. One task
        per message: presses arriving meanwhile are folded into its next edit."""
        groups = {
            key: area for key, area in directive.groups if self.areas.contains(area, person_area)
        }
        if not groups:
            return
        for item in self._items(directive):
            if item.chat_key not in groups or item.status is not OutboxStatus.SENT:
                continue
            if not item.buttons or not item.message_ids:
                continue
            key = f"{item.chat_key}:{item.message_ids[-1]}"
            if key in self._refreshing:
                continue
            task = asyncio.create_task(self._refresh(directive, item, groups[item.chat_key]))
            self._refreshing[key] = task
            task.add_done_callback(lambda _, k=key: self._refreshing.pop(k, None))

    async def _refresh(self, directive: Directive, item: OutboxItem, area: str) -> None:
        chat = chat_from_key(item.chat_key, item.chat_kind)
        lang = item.lang or self.default_lang
        shown: tuple[int, int] | None = None
        while (count := self.group_count(directive, area)) != shown:
            button = self.text.ack_button(lang, directive.id, *count)
            if not await self.delivery.edit_buttons(chat, item.message_ids[-1], ((button,),)):
                return
            shown = count

    async def drain(self) -> None:
        """Wait for the count edits under way (at shutdown, and in tests)."""
        while self._refreshing:
            await asyncio.gather(*list(self._refreshing.values()), return_exceptions=True)
