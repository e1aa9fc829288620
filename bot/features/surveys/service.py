"""Surveys: a question with options to the groups and people of an area (a native poll where
the platform has one, numbered typed answers elsewhere), and the results per commune."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import ChatKind, ChatRef, Incoming
from bot.core.models import Area, Person, Survey, SurveyAnswer
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import Reach
from bot.features.broadcast.sending import Broadcast
from bot.features.surveys.grammar import parse_survey
from bot.features.surveys.results import build_results, survey_sheet
from bot.features.surveys.text import SurveyPreview, SurveyResults

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.features.audit.log import AuditLog
    from bot.features.broadcast.confirmations import PendingActions
    from bot.features.export.rows import ExtraSheet
    from bot.features.surveys.text import SurveyText
    from bot.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answered:
    survey: Survey
    option: int
    changed: bool  # the voter had answered otherwise before


class Surveys:
    """Who may ask whom, how each chat gets the question, and how answers are counted."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        outbox: Outbox,
        delivery: Delivery,
        pending: PendingActions,
        text: SurveyText,
        confirm_minutes: int,
        default_lang: str,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.delivery = delivery
        self.text = text
        self.confirm_minutes = confirm_minutes
        self.default_lang = default_lang
        self._polls: dict[str, tuple[int, str]] = {}  # poll id → (survey, chat key)
        self.sends = Broadcast(
            "survey", store=store, areas=areas, outbox=outbox, delivery=delivery,
            pending=pending, audit=audit,
        )  # fmt: skip

    # --- preview and confirmation --------------------------------------------------------------

    def prepare(self, actor: Actor, args: str) -> SurveyPreview:
        """Read the command and keep the draft until /xacnhan; nothing is sent yet."""
        person = self.sends.sender(actor)
        parsed = parse_survey(args, self.areas)
        targets = self.sends.targets(actor, parsed.targets, find=self.areas.get)
        reach = self.sends.reach_someone(targets, person)
        draft = Survey(
            id=0, author=person.id, targets=tuple(a.code for a in targets),
            question=parsed.question, options=parsed.options, created_at=self.clock.now(),
        )  # fmt: skip
        messages = self.messages(draft, reach, person)
        self.sends.keep(
            person,
            {"targets": list(draft.targets), "question": draft.question,
             "options": list(draft.options)},
            minutes=self.confirm_minutes,
        )  # fmt: skip
        return SurveyPreview(
            targets=tuple(targets), question=draft.question, options=draft.options,
            polls=sum(1 for m in messages if m.poll), reach=self.sends.preview(reach, messages),
        )  # fmt: skip

    def confirm(self, actor: Actor) -> Survey:
        """Send the sender's pending survey: numbered, stored and queued in one commit."""
        person, data = self.sends.take(actor)
        targets = [self.areas.get(c) for c in data["targets"] if c in self.areas]
        self.sends.check_scope(actor, targets)
        reach = self.sends.reach(targets, person)
        with self.store.atomic():
            survey = self.store.surveys.add(
                Survey(
                    id=0, author=person.id, targets=tuple(a.code for a in targets),
                    question=data["question"], options=tuple(data["options"]),
                    created_at=self.clock.now(),
                )
            )  # fmt: skip
            survey, job = self.sends.queue(
                actor, person, survey, reach, self.messages(survey, reach, person)
            )
            self.store.surveys.save(survey)
            self.sends.done(actor, person, survey, job)
        log.info("survey=%s job=%s messages=%d", survey.id, job.id, job.total)
        return survey

    def cancel(self, actor: Actor) -> bool:
        """Drop the sender's pending survey (from /huy); whether there was one."""
        return self.sends.cancel(actor)

    def copies(self, s: Survey) -> int:
        return self.sends.copies(s)

    # --- who and how ---------------------------------------------------------------------------

    def messages(self, s: Survey, reach: Reach, author: Person) -> list[Message]:
        """A native poll into each chat whose platform has polls, the question as numbered text
        (answered by typing) everywhere else."""
        author_name = author.name
        chats: list[tuple[ChatRef, str, int | None]] = [
            (chat_from_key(g.chat_key, ChatKind.GROUP), self.default_lang, None)
            for g in reach.groups
        ]
        chats += [
            (private_chat(account), r.person.language or self.default_lang, r.person.id)
            for r, account in reach.private
        ]
        out = []
        for chat, lang, person_id in chats:
            caps = self.delivery.caps(chat)
            if caps is not None and caps.polls:
                out.append(Message(chat, self.text.poll_question(s), lang=lang,
                                   recipient=person_id, poll=s.options))  # fmt: skip
            else:
                out.append(Message(chat, self.text.message(lang, s, author_name), lang=lang,
                                   recipient=person_id))  # fmt: skip
        return out

    # --- answers -------------------------------------------------------------------------------

    def answer_typed(self, actor: Actor, number: int, choice: int | None) -> Answered:
        """`ks3 2`: the person's answer to survey 3, replacing an earlier one."""
        survey = self.get(number)
        person = actor.person
        if person is None or actor.anonymous:
            raise Forbidden("survey.unknown_voter")
        if choice is None or not 0 <= choice < len(survey.options):
            raise UserError("survey.bad_choice", number=number, count=len(survey.options))
        return self._record(survey, person, actor.user.key, choice, via="typed", chat_key="")

    def answer_poll(self, inc: Incoming) -> Answered | None:
        """A vote in a survey's native poll (callback `poll:<id>:<options>`); an empty vote
        takes the earlier one back. None for a poll that is no survey's."""
        _, poll_id, options = [*inc.callback_data.split(":", 2), "", ""][:3]
        found = self._poll(poll_id)
        if found is None:
            log.info("vote in an unknown poll ignored")
            return None
        survey_id, chat_key = found
        survey = self.get(survey_id)
        person = self.store.people.by_account(inc.sender.key)
        voter = f"person:{person.id}" if person else inc.sender.key
        choices = [int(o) for o in options.split(",") if o.isdigit()]
        if not choices:
            self.store.survey_answers.remove(survey.id, voter)
            return None
        if not 0 <= choices[0] < len(survey.options):
            return None
        return self._record(survey, person, inc.sender.key, choices[0], via="poll",
                            chat_key=chat_key)  # fmt: skip

    def _record(
        self, s: Survey, person: Person | None, user_key: str, choice: int, *, via: str,
        chat_key: str,
    ) -> Answered:  # fmt: skip
        voter = f"person:{person.id}" if person else user_key
        earlier = self.store.survey_answers.get(s.id, voter)
        area = self._area_of(s, person, chat_key)
        self.store.survey_answers.put(
            SurveyAnswer(
                survey_id=s.id, voter=voter, option=choice, area=area, at=self.clock.now(),
                via=via, person_id=person.id if person else None, chat_key=chat_key,
            )
        )  # fmt: skip
        return Answered(s, choice, earlier is not None and earlier.option != choice)

    def _area_of(self, s: Survey, person: Person | None, chat_key: str) -> str:
        """Where an answer counts: the voter's own area in the survey, else the group's."""
        if person is not None:
            expected = dict(s.expected).get(person.id)
            if expected:
                return expected
            for grant in person.roles:
                if any(self.areas.contains(t, grant.area) for t in s.targets if t in self.areas):
                    return grant.area
        return dict(s.groups).get(chat_key, "")

    def _poll(self, poll_id: str) -> tuple[int, str] | None:
        """The survey and group of a poll id; the index is rebuilt from the outbox on a miss."""
        if poll_id and poll_id not in self._polls:
            for s in self.store.surveys.all():
                for item in self.store.outbox.for_job(s.job_id) if s.job_id else ():
                    if item.poll_id:
                        self._polls[item.poll_id] = (s.id, item.chat_key)
        return self._polls.get(poll_id)

    # --- reading -------------------------------------------------------------------------------

    def get(self, number: int) -> Survey:
        return self.sends.found(self.store.surveys.get(number), number)

    def readable(self, actor: Actor, number: int) -> Survey:
        return self.sends.readable(actor, self.get(number))

    def recent(self, actor: Actor, *, limit: int = 10) -> list[tuple[Survey, int]]:
        """The newest surveys the actor may read, with how many answered, newest first."""
        found = self.sends.newest(actor, self.store.surveys.all(), limit=limit)
        return [(s, len(self.store.survey_answers.for_survey(s.id))) for s in found]

    def results(self, actor: Actor, number: int) -> SurveyResults:
        """Survey `number`: delivered, answers per option, and per commune who answered what."""
        return build_results(self.store, self.areas, self.readable(actor, number))

    def sheet(self, area: Area, start: datetime, end: datetime) -> ExtraSheet | None:
        """The survey sheet of an export of `area` over [start, end]; None without surveys."""
        return survey_sheet(self.store, self.areas, area, start, end, tz=self.text.tz)
