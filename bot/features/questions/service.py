"""Questions from the field: /hoi goes to the officers of the asker's area, /traloi sends the
answer back, and a question left unanswered climbs the area tree one level at a time."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef
from bot.core.models import Person, Question, Role
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import private_account
from bot.features.questions.reach import Index, next_level, receivers_index

if TYPE_CHECKING:
    from bot.config.models import QuestionsSection
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.delivery.quiet_hours import QuietHours
    from bot.features.people.directory import People
    from bot.features.questions.text import QuestionText
    from bot.store.base import Store

log = logging.getLogger(__name__)

ASKERS = (Role.COLLABORATOR,)
ANSWERERS = (Role.OFFICER,)
MAX_TEXT = 1500  # characters; the officer's copy must fit one Zalo message with its header
MAX_ANSWER = 3000


@dataclass(frozen=True, slots=True)
class Asked:
    """A question just filed: where it went and how many officers were told."""

    question: Question
    level_name: str  # "" when no officer anywhere could be told
    told: int


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer just queued: the asker's name and where the copies go."""

    question: Question
    asker: str
    private: bool  # a copy goes to the asker's private chat
    group: bool  # a copy goes to the group it was asked in
    group_name: str  # its title (or area), "" when the bot knows neither


class Questions:
    """The rules: who asks, who is told at each level, who may answer, when it escalates."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        people: People,
        outbox: Outbox,
        text: QuestionText,
        settings: QuestionsSection,
        default_lang: str,
        quiet: QuietHours | None = None,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.people = people
        self.outbox = outbox
        self.text = text
        self.settings = settings
        self.default_lang = default_lang
        self.quiet = quiet

    # --- asking --------------------------------------------------------------------------------

    def ask(self, actor: Actor, words: str, *, chat: ChatRef) -> Asked:
        """File the question and queue a copy to each officer of the nearest level that has one
        the bot can write to; the copies commit with the question."""
        person = actor.person
        text = words.strip()
        if not text:
            raise UserError("question.usage")
        if len(text) > MAX_TEXT:
            raise UserError("question.too_long", length=len(text), limit=MAX_TEXT)
        area = self._asker_area(actor, chat)
        if person is None or not area:
            raise Forbidden("question.no_area")
        now = self.clock.now()
        draft = Question(
            id=0, asker=person.id, area=area, text=text, asked_at=now, chat_key=chat.key,
            chat_kind=str(chat.kind),
        )  # fmt: skip
        found = next_level(self.areas, draft, self._index(), above="")
        with self.store.atomic():
            question = self.store.questions.add(draft)
            if found is None:
                log.info("question=%s area=%s: no officer to tell", question.id, area)
                return Asked(question, "", 0)
            level, receivers = found
            question = replace(
                question, level=level, level_since=now,
                notified=tuple(p.id for p, _ in receivers),
            )  # fmt: skip
            self.store.questions.save(question)
            self._send(question, receivers, escalated_from="")
        log.info("question=%s area=%s level=%s told=%d", question.id, area, level, len(receivers))
        return Asked(question, self.areas.get(level).name, len(receivers))

    def _asker_area(self, actor: Actor, chat: ChatRef) -> str:
        """The asker's collaborator area: inside the group's area when asked in a bound group."""
        mine = [g.area for g in actor.grants if g.role in ASKERS and g.area in self.areas]
        if chat.kind is ChatKind.GROUP:
            group = self.store.groups.get(chat.key)
            if group is not None and group.active:
                inside = [a for a in mine if self.areas.contains(group.area, a)]
                mine = inside or mine
        return mine[0] if mine else ""

    # --- who is told -------------------------------------------------------------------------

    def _index(self) -> Index:
        return receivers_index(
            self.store.people.all(), self.people.grants_of, set(self.outbox.delivery.platforms)
        )

    def _send(
        self, q: Question, receivers: list[tuple[Person, str]], *, escalated_from: str
    ) -> None:
        asker = self.store.people.get(q.asker)
        asker_name = asker.name if asker else f"#{q.asker}"
        area = self.areas.get(q.area).name if q.area in self.areas else q.area
        hours = self.settings.escalate_after_hours
        messages = []
        for person, account in receivers:
            lang = person.language or self.default_lang
            text = self.text.for_officer(
                lang, q, asker=asker_name, area=area, escalated_from=escalated_from, hours=hours
            )
            button = self.text.answer_button(lang, q.id)
            messages.append(
                Message(private_chat(account), text, buttons=((button,),), lang=lang,
                        recipient=person.id)
            )  # fmt: skip
        kind = "question.escalated" if escalated_from else "question"
        self.outbox.enqueue(messages, kind=kind, ref=f"question:{q.id}")

    # --- escalation ----------------------------------------------------------------------------

    def run_once(self) -> dict[str, int]:
        """Move each question unanswered for `escalate_after_hours` at its level up one level
        (to the next area with someone to tell). Quiet hours hold it until morning."""
        now = self.clock.now()
        done = {"escalated": 0}
        if self.quiet is not None and self.quiet.holds(now):
            return done
        wait = timedelta(hours=self.settings.escalate_after_hours)
        due = [
            q for q in self.store.questions.open()
            if q.level and q.level_since is not None and q.level_since + wait <= now
        ]  # fmt: skip
        if not due:
            return done
        index = self._index()
        for q in due:
            if self._escalate(q, index, now):
                done["escalated"] += 1
        return done

    def _escalate(self, q: Question, index: Index, now: datetime) -> bool:
        found = next_level(self.areas, q, index, above=q.level)
        if found is None:
            # The top: nobody above to tell. Stop counting, so later sweeps skip it.
            self.store.questions.save(replace(q, level_since=None))
            log.info("question=%s unanswered at the top level %s", q.id, q.level)
            return False
        level, receivers = found
        moved = replace(
            q, level=level, level_since=now, escalations=q.escalations + 1,
            notified=(*q.notified, *(p.id for p, _ in receivers)),
        )  # fmt: skip
        try:
            with self.store.atomic():
                self.store.questions.save(moved)
                self._send(moved, receivers, escalated_from=self.areas.get(q.level).name)
        except UserError as exc:  # a Zalo quota that cannot cover it: it moves up untold
            log.warning("question=%s escalation not sent: %s", q.id, exc.key)
            self.store.questions.save(moved)
        log.info("question=%s escalated %s -> %s told=%d", q.id, q.level, level, len(receivers))
        return True

    # --- answering -----------------------------------------------------------------------------

    def get(self, number: int) -> Question:
        question = self.store.questions.get(number)
        if question is None:
            raise NotFound("question.not_found", number=number)
        return question

    def readable(self, actor: Actor, number: int) -> Question:
        """The question, if the actor is an officer (or admin) over the asker's area."""
        q = self.get(number)
        if not actor.covers(self.areas, q.area, ANSWERERS):
            area = self.areas.get(q.area).name if q.area in self.areas else q.area
            raise Forbidden("question.not_yours", number=number, area=area)
        return q

    def unanswered(self, actor: Actor, number: int) -> Question:
        """The question, if the actor may answer it and nobody has yet."""
        q = self.readable(actor, number)
        if q.answered_at is not None:
            by = self.store.people.get(q.answered_by) if q.answered_by else None
            raise UserError(
                "question.already_answered", number=number, officer=by.name if by else "",
                when=self.text.when(q.answered_at), answer=q.answer,
            )  # fmt: skip
        return q

    def answer(self, actor: Actor, number: int, words: str) -> Answered:
        """Store the answer and queue it to the asker privately and to the group it was asked
        in; both commit with the answer."""
        person = actor.person
        if person is None:
            raise Forbidden("question.no_person")
        q = self.unanswered(actor, number)
        text = words.strip()
        if not text:
            raise UserError("question.answer_usage")
        if len(text) > MAX_ANSWER:
            raise UserError("question.too_long", length=len(text), limit=MAX_ANSWER)
        q = replace(q, answer=text, answered_by=person.id, answered_at=self.clock.now())
        asker = self.store.people.get(q.asker)
        asker_name = asker.name if asker else f"#{q.asker}"
        officer = self._signature(person, q.area)
        messages: list[Message] = []
        private, group = False, ""  # group: the title of the group the copy goes to
        back: ChatRef | None
        if q.chat_kind == ChatKind.GROUP:
            chat = chat_from_key(q.chat_key, q.chat_kind)
            binding = self.store.groups.get(q.chat_key)
            group = binding.title if binding and binding.title else self._group_name(q.chat_key)
            text = self.text.answer(self.default_lang, q, asker=asker_name, officer=officer)
            messages.append(Message(chat, text, lang=self.default_lang))
            account = private_account(asker, set(self.outbox.delivery.platforms)) if asker else ""
            back = private_chat(account) if account else None
        else:
            back = chat_from_key(q.chat_key, q.chat_kind)
        if back is not None and asker is not None and asker.active:
            lang = asker.language or self.default_lang
            text = self.text.answer(lang, q, asker=asker_name, officer=officer)
            messages.append(Message(back, text, lang=lang, recipient=asker.id))
            private = True
        with self.store.atomic():
            self.store.questions.save(q)
            if messages:
                self.outbox.enqueue(messages, kind="question.answer", ref=f"question:{q.id}")
        log.info("question=%s answered by=%s copies=%d", q.id, person.id, len(messages))
        return Answered(q, asker_name, private, q.chat_kind == ChatKind.GROUP, group)

    def _group_name(self, chat_key: str) -> str:
        binding = self.store.groups.get(chat_key)
        return self.area_name(binding.area) if binding is not None else ""

    def _signature(self, officer: Person, area: str) -> str:
        """The officer's name with the area of the grant that covers the question."""
        areas = self.areas
        grant = next(
            (g for g in officer.roles
             if g.role in ANSWERERS and g.area in areas and areas.contains(g.area, area)),
            None,
        )  # fmt: skip
        return f"{officer.name} ({self.areas.get(grant.area).name})" if grant else officer.name

    # --- reading -------------------------------------------------------------------------------

    def open_for(self, actor: Actor) -> list[Question]:
        """Unanswered questions over which the actor may answer, oldest first."""
        return [
            q for q in self.store.questions.open() if actor.covers(self.areas, q.area, ANSWERERS)
        ]

    def asker_name(self, q: Question) -> str:
        person = self.store.people.get(q.asker)
        return person.name if person else f"#{q.asker}"

    def area_name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code
