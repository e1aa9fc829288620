"""The officers' daily summary of new registrations, for those who chose it over one notice per
registration (`/duyet tomtat bat`): the choice, kept in the store, and the messages of a firing,
which the scheduler puts in the outbox at registration.summary_at (quiet hours hold it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import Person, Registration, Reminder, ReminderKind, Role
from bot.delivery.outbox import Message
from bot.delivery.sender import private_chat
from bot.features.broadcast.reach import private_account
from bot.features.people.registration.village_lookup import label

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.store.base import Store

log = logging.getLogger(__name__)

SETTING = "registrations.summary"  # meta: the ids of the people who chose the daily summary
SOURCE = "registrations:summary"  # the stored schedule's source (made once someone chooses it)
DECIDERS = (Role.OFFICER, Role.ADMIN)
MAX_LISTED = 30  # new registrations named in one summary; the rest are counted


class RegistrationSummary:
    """Who chose the summary; the schedule that sends it; what each firing sends."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        translate: Translator,
        default_lang: str,
        running: Callable[[], Collection[tuple[str, str]]],
        at: str,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.translate = translate
        self.default_lang = default_lang
        self.running = running
        self.at = at  # "HH:MM", local time
        self.on_schedule: Callable[[int], None] = lambda _id: None  # set by the scheduler

    # --- the choice -----------------------------------------------------------------------

    def chosen_by(self, person_id: int) -> bool:
        return person_id in (self.store.meta.get(SETTING, []) or [])

    def choose(self, person: Person, *, daily: bool) -> bool:
        """Record the person's choice; returns whether it changed anything."""
        ids = [int(i) for i in self.store.meta.get(SETTING, []) or []]
        if (person.id in ids) == daily:
            return False
        ids = sorted({*ids, person.id}) if daily else [i for i in ids if i != person.id]
        with self.store.atomic():
            self.store.meta.set(SETTING, ids)
            reminder = self._schedule() if daily else None
        if reminder is not None:
            self.on_schedule(reminder.id)
        log.info("registration summary person=%s daily=%s", person.id, daily)
        return True

    def _schedule(self) -> Reminder:
        """The stored daily schedule, made when first needed (so nothing is scheduled in a
        deployment where nobody chose it), and kept at the configured time."""
        now = self.clock.now()
        for rem in self.store.reminders.all():
            if rem.source == SOURCE:
                if rem.at != self.at or not rem.active:
                    rem = replace(rem, at=self.at, active=True)
                    self.store.reminders.save(rem)
                return rem
        draft = Reminder(
            id=0, kind=ReminderKind.REGISTRATIONS, at=self.at, source=SOURCE, created_at=now,
            last_fired=now,  # nothing before the choice is due
        )  # fmt: skip
        return self.store.reminders.add(draft)

    def sync(self) -> None:
        """At start: a schedule made earlier follows a changed registration.summary_at."""
        for rem in self.store.reminders.all():
            if rem.source == SOURCE and rem.at != self.at:
                self.store.reminders.save(replace(rem, at=self.at))
                log.info("registration summary moved to %s", self.at)

    # --- a firing -------------------------------------------------------------------------

    def messages(self, rem: Reminder, moment: datetime) -> list[Message]:
        """For each active officer who chose the summary: the registrations filed in their area
        since the previous firing (none: no message), and how many wait in all."""
        since = rem.last_fired or rem.created_at or moment
        chosen = set(self.store.meta.get(SETTING, []) or [])
        pending = self.store.registrations.pending()
        running = self.running()
        out: list[Message] = []
        for person in self.store.people.all():
            if person.id not in chosen or not person.active:
                continue
            codes = [g.area for g in person.roles if g.role in DECIDERS and g.area in self.areas]
            mine = [r for r in pending if any(self.areas.contains(c, r.area) for c in codes)]
            new = [r for r in mine if since < r.requested_at <= moment]
            account = private_account(person, running)
            if not new or not account:
                continue
            lang = person.language or self.default_lang
            out.append(
                Message(chat=private_chat(account), text=self._text(lang, new, len(mine)),
                        lang=lang, recipient=person.id)
            )  # fmt: skip
        return out

    def _text(self, lang: str, new: list[Registration], waiting: int) -> str:
        t = self.translate
        lines = [t(lang, "register.summary_title", count=len(new), waiting=waiting)]
        for reg in new[:MAX_LISTED]:
            person = self.store.people.get(reg.person_id)
            name = person.name if person else "?"
            lines.append(t(lang, "register.summary_item", n=reg.id, name=name,
                           area=label(self.areas, self.areas.get(reg.area))))  # fmt: skip
        if len(new) > MAX_LISTED:
            lines.append(t(lang, "register.summary_more", count=len(new) - MAX_LISTED))
        lines.append(t(lang, "register.summary_how"))
        return "\n".join(lines)
