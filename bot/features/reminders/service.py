"""Reminders: add, list and delete them, and what each firing sends to whom."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef, UserRef
from bot.core.models import Area, Reminder, ReminderKind, Role
from bot.core.periods import deadline, describe
from bot.core.places import resolve
from bot.core.workdays import EVERY_DAY, WorkCalendar
from bot.delivery.outbox import Message
from bot.features.audit.log import AuditLog
from bot.features.broadcast.reach import compute_reach, private_account
from bot.features.reminders.grammar import parse_reminder
from bot.features.reminders.timing import next_after, period_due

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.core.periods import Schedule
    from bot.features.reports.service import Reports
    from bot.store.base import Store

log = logging.getLogger(__name__)

SETTERS = (Role.OFFICER, Role.ADMIN)
MAX_NAMED = 12  # missing villages named in a group's deadline reminder
BEHIND = timedelta(days=31)  # how far back a moment moved past days off may have come from


class Reminders:
    """The rules of reminders; the scheduler asks when they are due and what they send."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        tz: ZoneInfo,
        reports: Reports,
        running: frozenset[tuple[str, str]],
        translate: Translator,
        default_lang: str,
        audit: AuditLog,
        workdays: WorkCalendar = EVERY_DAY,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.tz = tz
        self.reports = reports
        self.running = running
        self.t = translate
        self.default_lang = default_lang
        self.audit = audit
        self.workdays = workdays  # days off: moments move or are skipped (timing.py)
        # Set by the composition root: the scheduler re-times a reminder that was added or removed.
        self.on_change: Callable[[int], None] = lambda _id: None

    # --- timing --------------------------------------------------------------------------------

    def _schedule(self, code: str) -> Schedule | None:
        try:
            types = self.reports.types
        except UserError:
            return None
        return types.get(code) if code else types.default

    def next_moment(self, rem: Reminder, after: datetime) -> datetime | None:
        return next_after(
            rem, after, tz=self.tz, schedules=self._schedule, workdays=self.workdays
        )

    def upcoming(self, rem: Reminder, now: datetime) -> datetime | None:
        """The next moment after `now`, counted from the last firing: a moment moved past days
        off (Tết) is still ahead after its own day has gone."""
        since = max(rem.last_fired or now, now - BEHIND)
        moment = self.next_moment(rem, since)
        while moment is not None and moment <= now:
            moment = self.next_moment(rem, moment)
        return moment

    # --- what people type -----------------------------------------------------------------------

    def add(self, actor: Actor, args: str) -> tuple[Reminder, datetime]:
        person = actor.person
        if person is None:
            raise Forbidden("directive.no_person")
        now = self.clock.now()
        parsed = parse_reminder(args, today=now.astimezone(self.tz).date())
        targets = self._targets(actor, parsed.areas)
        report_type = ""
        if parsed.kind is ReminderKind.DEADLINE:
            rt = (
                self.reports.types.by_name(parsed.report_type)
                if parsed.report_type
                else (self.reports.types.default)
            )
            if rt is None:
                raise NotFound("remind.no_such_type", text=parsed.report_type)
            report_type = rt.code
        draft = Reminder(
            id=0, kind=parsed.kind, at=parsed.at, text=parsed.text,
            areas=tuple(a.code for a in targets), day_of_month=parsed.day_of_month,
            weekday=parsed.weekday, report_type=report_type, days_before=parsed.days_before,
            on_date=parsed.on_date, offsets=parsed.offsets, created_by=person.id, created_at=now,
            last_fired=now,  # nothing before its creation is due
        )  # fmt: skip
        first = self.next_moment(draft, now)
        if first is None:
            raise UserError("remind.in_the_past")
        with self.store.atomic():
            stored = self.store.reminders.add(draft)
            self.audit.by(
                actor,
                "reminder.add",
                target=f"reminder:{stored.id}",
                detail={"kind": stored.kind.value, "areas": list(stored.areas)},
            )
        log.info("reminder=%s kind=%s added", stored.id, stored.kind)
        self.on_change(stored.id)
        return stored, first

    def check_when(self, when: str) -> None:
        """Refuse a schedule the grammar cannot read (the form checks each step)."""
        parse_reminder(f"{when}: x", today=self.clock.now().astimezone(self.tz).date())

    def visible(self, actor: Actor) -> list[tuple[Reminder, datetime]]:
        """Active reminders over the actor's areas (and everyone's for admins), with their next
        moment; the daily digest too (it comes from config)."""
        now = self.clock.now()
        out = []
        for rem in self.store.reminders.all():
            if not rem.active or rem.kind in (ReminderKind.REGISTRATIONS, ReminderKind.DHIS2):
                # The registration summary is officers' own choice (/duyet tomtat); the DHIS2
                # push is no message to a chat.
                continue
            moment = self.upcoming(rem, now)
            if moment is not None and self._covers(actor, rem):
                out.append((rem, moment))
        return out

    def delete(self, actor: Actor, number: int) -> Reminder:
        rem = self.store.reminders.get(number)
        if rem is None or not rem.active:
            raise NotFound("remind.not_found", number=number)
        if not self._covers(actor, rem):
            raise Forbidden("remind.not_yours", number=number)
        if rem.source:
            raise UserError("remind.from_config", number=number)
        with self.store.atomic():
            self.store.reminders.save(replace(rem, active=False))
            self.audit.by(
                actor,
                "reminder.delete",
                target=f"reminder:{rem.id}",
                detail={"kind": rem.kind.value, "areas": list(rem.areas)},
            )
        self.on_change(rem.id)
        return rem

    def _covers(self, actor: Actor, rem: Reminder) -> bool:
        areas = rem.areas or (self.areas.root.code,)
        return all(actor.covers(self.areas, a, SETTERS) for a in areas if a in self.areas)

    def _targets(self, actor: Actor, words: tuple[str, ...]) -> list[Area]:
        if not words:
            own = [self.areas.get(c) for c in actor.areas_of(SETTERS) if c in self.areas]
            if not own:
                raise Forbidden("remind.no_area")
            return own[:1]
        targets = []
        for word in words:
            area = resolve(self.areas, word)
            if not actor.covers(self.areas, area.code, SETTERS):
                raise Forbidden("remind.not_your_area", area=area.name)
            targets.append(area)
        return targets

    # --- a firing ---------------------------------------------------------------------------

    def messages(self, rem: Reminder, moment: datetime) -> list[Message]:
        """What this reminder sends for the firing at `moment`."""
        if rem.kind is ReminderKind.DEADLINE:
            return self._deadline(rem, moment)
        text_of = self._plain_text(rem, moment)
        targets = list(rem.areas) or [self.areas.root.code]
        reach = compute_reach(
            areas=self.areas, targets=[a for a in targets if a in self.areas],
            people=self.store.people.all(), groups=self.store.groups.all(),
            running=self.running, author=rem.created_by,
        )  # fmt: skip
        out = [
            Message(chat=_group(g.chat_key), text=text_of(self.default_lang),
                    lang=self.default_lang)
            for g in reach.groups
        ]  # fmt: skip
        away = self.away(moment)
        for recipient, account in reach.private:
            if recipient.person.id in away:
                continue
            lang = recipient.person.language or self.default_lang
            out.append(
                Message(chat=_private(account), text=text_of(lang), lang=lang,
                        recipient=recipient.person.id)
            )  # fmt: skip
        return out

    def _plain_text(self, rem: Reminder, moment: datetime) -> Callable[[str], str]:
        def text_of(lang: str) -> str:
            if rem.kind is not ReminderKind.CAMPAIGN:
                return self.t(lang, "remind.message", text=rem.text)
            day = date.fromisoformat(rem.on_date)
            left = (day - moment.astimezone(self.tz).date()).days
            key = (
                "remind.campaign_today"
                if left == 0
                else ("remind.campaign_before" if left > 0 else "remind.campaign_after")
            )
            return self.t(lang, key, text=rem.text, days=abs(left), date=day.strftime("%d/%m/%Y"))

        return text_of

    def away(self, moment: datetime) -> frozenset[int]:
        """The people away (`/vang`) on the local day of `moment`: no reminder reaches them."""
        return self.store.absences.away_on(moment.astimezone(self.tz).date())

    def _deadline(self, rem: Reminder, moment: datetime) -> list[Message]:
        """Only to the villages that have not reported the period whose deadline is coming:
        privately to their collaborators, and in a group for those it cannot reach privately."""
        rt = self._schedule(rem.report_type)
        period = period_due(
            rem, moment, tz=self.tz, schedules=self._schedule, workdays=self.workdays
        )
        if rt is None or period is None:
            return []
        types = self.reports.types
        rtype = types.get(rem.report_type) or types.default
        due = deadline(rt, period).strftime("%d/%m/%Y")
        out: list[Message] = []
        unreached: dict[str, list[str]] = {}
        targets = list(rem.areas) or [self.areas.root.code]
        seen: set[str] = set()
        away = self.away(moment)
        for target in targets:
            for row in self.reports.missing_in(target, rtype, period.key):
                if row.village.code in seen or not row.collaborators:
                    continue  # expected villages are those with an active collaborator
                seen.add(row.village.code)
                present = [p for p in row.collaborators if p.id not in away]
                if not present:
                    continue  # everyone of the village is away: neither told nor named
                reached = False
                for person in present:
                    account = private_account(person, self.running)
                    if not account:
                        continue
                    lang = person.language or self.default_lang
                    text = self.t(
                        lang, "remind.deadline_private", type=rtype.name(lang),
                        period=describe(period.key, lang), deadline=due,
                        village=row.village.name, note=rem.text,
                    ).strip()  # fmt: skip
                    out.append(Message(chat=_private(account), text=text, lang=lang,
                                       recipient=person.id))  # fmt: skip
                    reached = True
                if not reached:
                    for group in self._groups_over(row.village.code):
                        unreached.setdefault(group, []).append(row.village.name)
        for chat_key, names in unreached.items():
            lang = self.default_lang
            shown = ", ".join(names[:MAX_NAMED]) + (
                f" (+{len(names) - MAX_NAMED})" if len(names) > MAX_NAMED else ""
            )
            text = self.t(
                lang, "remind.deadline_group", type=rtype.name(lang),
                period=describe(period.key, lang), deadline=due, count=len(names),
                villages=shown, note=rem.text,
            ).strip()  # fmt: skip
            out.append(Message(chat=_group(chat_key), text=text, lang=lang))
        return out

    def _groups_over(self, area: str) -> list[str]:
        return [
            g.chat_key for g in self.store.groups.all()
            if g.active and g.area in self.areas and self.areas.contains(g.area, area)
        ]  # fmt: skip

    def describe_when(self, lang: str, rem: Reminder) -> str:
        """The reminder's schedule in words, for /nhac ds."""
        t = self.t
        if rem.kind is ReminderKind.MONTHLY:
            return t(lang, "remind.when_monthly", day=rem.day_of_month, at=rem.at)
        if rem.kind is ReminderKind.WEEKLY:
            return t(lang, "remind.when_weekly", day=t(lang, f"weekday.{rem.weekday}"), at=rem.at)
        if rem.kind is ReminderKind.DAILY:
            return t(lang, "remind.when_daily", at=rem.at)
        if rem.kind is ReminderKind.DIGEST:
            return t(lang, "remind.when_digest", at=rem.at)
        if rem.kind is ReminderKind.DEADLINE:
            return t(lang, "remind.when_deadline", days=rem.days_before, at=rem.at)
        day = date.fromisoformat(rem.on_date).strftime("%d/%m/%Y")
        if rem.kind is ReminderKind.CAMPAIGN:
            offsets = ", ".join(f"{k:+d}" if k else "0" for k in rem.offsets)
            return t(lang, "remind.when_campaign", date=day, offsets=offsets, at=rem.at)
        return t(lang, "remind.when_once", date=day, at=rem.at)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%d/%m/%Y %H:%M")

    def area_names(self, rem: Reminder) -> str:
        codes = rem.areas or (self.areas.root.code,)
        return ", ".join(self.areas.get(c).name if c in self.areas else c for c in codes)


def _group(chat_key: str) -> ChatRef:
    platform, bot, chat_id = chat_key.split(":", 2)
    return ChatRef(platform, bot, chat_id, ChatKind.GROUP)


def _private(account: str) -> ChatRef:
    user = UserRef.parse(account)
    return ChatRef(user.platform, user.bot, user.id, ChatKind.PRIVATE)
