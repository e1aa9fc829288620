"""After a directive goes out: chase those who have not acknowledged, and at the deadline
tell the officer how it ended. Each step is stored with the messages it queues, so a restart
neither skips nor repeats one."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.messages import ChatKind
from bot.core.models import Directive, OutboxStatus, Person
from bot.core.workdays import EVERY_DAY, WorkCalendar
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import private_account
from bot.features.broadcast.wording import excerpt, names
from bot.features.directives.status import build_status

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.config.models import DirectivesSection
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.delivery.quiet_hours import QuietHours
    from bot.features.directives.text import DirectiveText
    from bot.store.base import Store

log = logging.getLogger(__name__)


class DirectiveFollowup:
    """Runs every minute or so; each run does what has come due since the last."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        outbox: Outbox,
        text: DirectiveText,
        settings: DirectivesSection,
        default_lang: str,
        quiet: QuietHours | None = None,
        workdays: WorkCalendar = EVERY_DAY,
        tz: ZoneInfo | None = None,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.outbox = outbox
        self.text = text
        self.settings = settings
        self.default_lang = default_lang
        self.quiet = quiet
        self.workdays = workdays  # a chase due on a day off waits for the next working day
        self.tz = tz or UTC

    def run_once(self) -> dict[str, int]:
        now = self.clock.now()
        done = {"chases": 0, "summaries": 0}
        if self.quiet is not None and self.quiet.holds(now):
            return done  # chases and summaries wait for the morning
        for d in self.store.directives.all():
            if d.job_id is None or d.summary_sent_at is not None:
                continue
            if d.deadline is not None and d.deadline <= now:
                self._summary(d, now)
                done["summaries"] += 1
            elif self._chase_due(d, now):
                self._chase(d, now)
                done["chases"] += 1
        return done

    def _chase_due(self, d: Directive, now: datetime) -> bool:
        s = self.settings
        if d.chases >= s.chase_times:
            return False
        if not self.workdays.is_working_day(now.astimezone(self.tz).date()):
            return False
        first = d.created_at + timedelta(hours=s.chase_after_hours)
        return now >= first + timedelta(hours=s.chase_every_hours) * d.chases

    # --- chasing -------------------------------------------------------------------------------

    def _chase(self, d: Directive, now: datetime) -> None:
        """Privately to each who has not acknowledged and can be written to; in each group, one
        message naming the others it covers."""
        acked = self.store.acks.for_directive(d.id)
        running = set(self.outbox.delivery.platforms)
        items = {i.chat_key: i for i in self.store.outbox.for_job(d.job_id or 0)}
        messages: list[Message] = []
        in_group: dict[str, list[str]] = {}
        author = self.store.people.get(d.author)
        away = self.store.absences.away_on(now.astimezone(self.tz).date())  # /vang
        for pid, area in d.expected:
            person = self.store.people.get(pid)
            if pid in acked or pid in away or person is None or not person.active:
                continue
            account = private_account(person, running)
            if account:
                messages.append(self._private(d, person, account, author))
                continue
            for chat_key, group_area in d.groups:
                item = items.get(chat_key)
                if (
                    item is not None
                    and item.status is OutboxStatus.SENT
                    and (self.areas.contains(group_area, area))
                ):
                    in_group.setdefault(chat_key, []).append(person.name)
                    break
        for chat_key, people in in_group.items():
            messages.append(self._group(d, chat_key, people))
        try:
            with self.store.atomic():
                if messages:
                    self.outbox.enqueue(messages, kind="directive.chase", ref=f"directive:{d.id}")
                self.store.directives.save(replace(d, chases=d.chases + 1, last_chase_at=now))
        except UserError as exc:  # a Zalo quota that cannot cover it: skip this round, say why
            log.warning("directive=%s chase skipped: %s", d.id, exc.key)
            self.store.directives.save(replace(d, chases=d.chases + 1, last_chase_at=now))
            return
        log.info("directive=%s chase %d: %d messages", d.id, d.chases + 1, len(messages))

    def _private(
        self, d: Directive, person: Person, account: str, author: Person | None
    ) -> Message:
        lang = person.language or self.default_lang
        t = self.text.t
        lines = [
            t(lang, "directive.chase_private", number=d.id, excerpt=excerpt(d.text),
              author=author.name if author else ""),
        ]  # fmt: skip
        if d.deadline is not None:
            lines.append(t(lang, "directive.deadline_line", deadline=self.text.when(d.deadline)))
        return Message(
            chat=private_chat(account),
            text="\n".join(lines), buttons=((self.text.ack_button(lang, d.id),),),
            lang=lang, recipient=person.id,
        )  # fmt: skip

    def _group(self, d: Directive, chat_key: str, people: list[str]) -> Message:
        lang = self.default_lang
        t = self.text.t
        text = t(lang, "directive.chase_group", number=d.id, names=names(people, t, lang, 30))
        return Message(
            chat=chat_from_key(chat_key, ChatKind.GROUP), text=text,
            buttons=((self.text.ack_button(lang, d.id),),), lang=lang,
        )  # fmt: skip

    # --- the deadline ------------------------------------------------------------------------

    def _summary(self, d: Directive, now: datetime) -> None:
        """The final status, privately to the author, once."""
        author = self.store.people.get(d.author)
        account = private_account(author, set(self.outbox.delivery.platforms)) if author else ""
        messages = []
        if author is not None and account:
            lang = author.language or self.default_lang
            view = build_status(self.store, self.areas, d, group_ack=self.settings.group_ack)
            text = "\n".join(
                [self.text.t(lang, "directive.summary", number=d.id), self.text.status(lang, view)]
            )
            chat = private_chat(account)
            messages.append(Message(chat=chat, text=text, lang=lang, recipient=author.id))
        try:
            with self.store.atomic():
                if messages:
                    self.outbox.enqueue(
                        messages, kind="directive.summary", ref=f"directive:{d.id}"
                    )
                self.store.directives.save(replace(d, summary_sent_at=now))
        except UserError as exc:  # the author's Zalo bot has no quota left this month
            log.warning("directive=%s summary not sent: %s", d.id, exc.key)
            self.store.directives.save(replace(d, summary_sent_at=now))
        log.info("directive=%s deadline summary queued=%d", d.id, len(messages))
