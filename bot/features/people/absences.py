"""Days away (`/vang`): a collaborator or officer marks their own, an officer those of the
collaborators of their area; reminders and chases leave them out on those days (they read
`store.absences.away_on`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core.absences import Absence
from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.models import Person, Role
from bot.core.text import fold
from bot.features.audit.log import AuditLog
from bot.features.people.absence_words import MAX_NOTE, parse_absence

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.sender import Notifier
    from bot.store.base import Store

log = logging.getLogger(__name__)

MAX_DAYS = 200  # a maternity leave (six months) fits in one
MAX_LISTED = 30
OFFICERS = (Role.OFFICER,)


@dataclass(frozen=True, slots=True)
class AwayRow:
    """One absence as people read it: whose, where they work, and whether it has begun."""

    absence: Absence
    person: Person
    place: str  # the villages (or areas) of the person's roles
    current: bool


class Absences:
    """The rules of /vang: who may mark whom, merging overlapping days, cancelling."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        tz: ZoneInfo,
        audit: AuditLog,
        notifier: Notifier,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.tz = tz
        self.audit = audit
        self.notifier = notifier

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    # --- marking ------------------------------------------------------------------------------

    async def mark(self, actor: Actor, args: str) -> AwayRow:
        """Store the days of `/vang …`; an officer's mark for someone else is told to them."""
        me = _person(actor)
        today = self.today()
        words = parse_absence(args, today=today)
        if words.end < words.start:
            raise UserError("absence.end_first", start=_day(words.start), end=_day(words.end))
        if words.end < today:
            raise UserError("absence.past", end=_day(words.end))
        if (words.end - words.start).days >= MAX_DAYS:
            raise UserError("absence.too_long", days=MAX_DAYS)
        note = words.note
        if words.who and not actor.has_any(OFFICERS):
            # A collaborator marks only their own days: words before the dates ("em xin nghỉ")
            # are part of what they say, not someone's name.
            note, words = f"{words.who} {note}".strip()[:MAX_NOTE], replace(words, who="")
        target = self._target(actor, me, words.who)
        with self.store.atomic():
            stored = self._merge(target, words.start, words.end, note, set_by=me.id)
            self.audit.by(
                actor, "absence.set", target=f"person:{target.id}",
                detail={"start": stored.start.isoformat(), "end": stored.end.isoformat()},
            )  # fmt: skip
        log.info("absence=%s person=%s set by=%s", stored.id, target.id, me.id)
        if target.id != me.id:
            await self.notifier.notify(
                target, "absence.set_for_you", officer=me.name, days=self.span(stored)
            )
        return self._row(stored, target, today)

    def _target(self, actor: Actor, me: Person, who: str) -> Person:
        if not who:
            return me
        target = self._find(actor, who)
        if target.id == me.id:
            return me
        if not self._mine(actor, target):
            raise Forbidden("absence.not_your_area", name=target.name)
        return target

    def _find(self, actor: Actor, who: str) -> Person:
        number = who.strip().lstrip("#")
        if number.isdigit():
            found = self.store.people.get(int(number))
            if found is None or not found.active:
                raise NotFound("people.not_found", who=who)
            return found
        wanted = fold(who)
        named = [p for p in self.store.people.all() if p.active and wanted in fold(p.name)]
        mine = [p for p in named if self._mine(actor, p)]
        if not mine:
            if named:  # someone of another area: say so, without naming who else is called so
                raise Forbidden("absence.not_your_area", name=who)
            raise NotFound("absence.no_such_person", who=who)
        exact = [p for p in mine if fold(p.name) == wanted]
        if len(exact) == 1 or len(mine) == 1:
            return (exact or mine)[0]
        listed = ", ".join(f"#{p.id} {p.name}" for p in mine[:8])
        raise UserError("absence.which_person", who=who, people=listed, number=mine[0].id)

    def _mine(self, actor: Actor, person: Person) -> bool:
        """Whether `person` is a collaborator of a village the officer covers."""
        return any(
            g.role is Role.COLLABORATOR and g.area in self.areas
            and actor.covers(self.areas, g.area, OFFICERS)
            for g in person.roles
        )  # fmt: skip

    def _merge(self, person: Person, start: date, end: date, note: str, *, set_by: int) -> Absence:
        """One record per stretch: days that overlap or touch an existing absence join it."""
        touching = [
            a for a in self.store.absences.of_person(person.id)
            if a.start <= end + timedelta(days=1) and start <= a.end + timedelta(days=1)
        ]  # fmt: skip
        if not touching:
            return self.store.absences.add(
                Absence(0, person.id, start, end, set_by, self.clock.now(), note)
            )
        first, *others = touching
        merged = replace(
            first, start=min(start, *(a.start for a in touching)),
            end=max(end, *(a.end for a in touching)), set_by=set_by, note=note or first.note,
        )  # fmt: skip
        self.store.absences.save(merged)
        for other in others:
            self.store.absences.remove(other.id)
        return merged

    # --- reading and cancelling ----------------------------------------------------------------

    def listing(self, actor: Actor) -> list[AwayRow]:
        """Current and coming absences: one's own, and an officer's collaborators'."""
        me = _person(actor)
        today = self.today()
        rows = []
        for absence in self.store.absences.from_day(today):
            person = self.store.people.get(absence.person_id)
            if person is None or not (person.id == me.id or self._mine(actor, person)):
                continue
            rows.append(self._row(absence, person, today))
        return rows[:MAX_LISTED]

    def cancel(self, actor: Actor, number: str) -> list[AwayRow]:
        """`/vang huy [n]`: absence n, or one's own current or coming one."""
        me = _person(actor)
        today = self.today()
        if number.strip():
            absence = self.store.absences.get(_number(number))
            person = self.store.people.get(absence.person_id) if absence else None
            if absence is None or person is None or absence.end < today:
                raise NotFound("absence.not_found", number=number.strip().lstrip("#"))
            if person.id != me.id and not self._mine(actor, person):
                raise Forbidden("absence.not_your_area", name=person.name)
            gone = [absence]
        else:
            gone = [a for a in self.store.absences.of_person(me.id) if a.end >= today]
            if not gone:
                raise NotFound("absence.none_to_cancel")
            if len(gone) > 1:
                listed = ", ".join(f"#{a.id} {self.span(a)}" for a in gone)
                raise UserError("absence.cancel_which", absences=listed, number=gone[0].id)
            person = me
        with self.store.atomic():
            for absence in gone:
                self.store.absences.remove(absence.id)
                self.audit.by(
                    actor, "absence.cancel", target=f"person:{absence.person_id}",
                    detail={"start": absence.start.isoformat(), "end": absence.end.isoformat()},
                )  # fmt: skip
        return [self._row(a, person, today) for a in gone]

    # --- words --------------------------------------------------------------------------------

    def span(self, absence: Absence) -> str:
        """The days in words: 02/09/2026, or 01/09/2026 – 05/09/2026."""
        if absence.start == absence.end:
            return _day(absence.start)
        return f"{_day(absence.start)} – {_day(absence.end)}"

    def _row(self, absence: Absence, person: Person, today: date) -> AwayRow:
        places = dict.fromkeys(
            self.areas.get(g.area).name for g in person.roles if g.area in self.areas
        )
        return AwayRow(absence, person, ", ".join(places), absence.start <= today)


def _person(actor: Actor) -> Person:
    if actor.person is None:
        raise Forbidden("absence.only_self")
    return actor.person


def _number(text: str) -> int:
    raw = text.strip().lstrip("#")
    if not raw.isdigit():
        raise UserError("absence.usage")
    return int(raw)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
