"""The review's rules: return a report to its collaborator with a reason, accept it as it was,
list what waits for a correction, and reach the collaborator privately (or where they report).

Each return and acceptance is one commit: the mark, its audit entry, the `report.returned`
event for the outgoing webhooks, and the message to the collaborator in the durable outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.events import REPORT_RETURNED, EventSink, ReportEvent
from bot.core.messages import ChatKind, ChatRef, Incoming, UserRef
from bot.core.models import Person, Report, Role
from bot.core.review_records import ReportReturn, ReturnState
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import private_account
from bot.features.review.checks import PeriodChecks
from bot.features.review.finding import REVIEWERS, check_reviewer, meant, village_name
from bot.features.review.text import ReviewText, fix_line
from bot.features.review.watch import Watch

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox
    from bot.features.audit.log import AuditLog
    from bot.features.reports.service import Reports
    from bot.features.reports.types import ReportType

log = logging.getLogger(__name__)

MAX_REASON = 500  # characters: the collaborator's notice must fit one Zalo message


@dataclass(frozen=True, slots=True)
class Reached:
    """Where a person was told: privately, in the group the report came from, or nowhere."""

    chat: ChatRef | None
    name: str  # the person's name
    group: str = ""  # the group's name when told there


@dataclass(frozen=True, slots=True)
class Returned:
    """A report just returned (or accepted): the mark and where the collaborator was told."""

    mark: ReportReturn
    report: Report
    type: ReportType
    village: str
    reached: Reached


class Review:
    """Returning, accepting and checking; notices go through the durable outbox."""

    def __init__(
        self,
        *,
        reports: Reports,
        outbox: Outbox,
        text: ReviewText,
        audit: AuditLog,
        events: EventSink,
        default_lang: str,
    ) -> None:
        self.reports = reports
        self.store = reports.store
        self.areas = reports.areas
        self.clock = reports.clock
        self.outbox = outbox
        self.text = text
        self.audit = audit
        self.events = events
        self.default_lang = default_lang
        self.checks = PeriodChecks(reports=reports, audit=audit)  # /daduyet
        self.watch = Watch(self)  # hears every report version (subscribed in bot.app.wiring)

    # --- which report -------------------------------------------------------------------------

    def meant(self, actor: Actor, inc: Incoming, text: str) -> tuple[Report | None, str]:
        """The report a command names (a number first) or replies to, and the rest of it."""
        return meant(self.reports, actor, inc, text)

    def numbered(self, number: int) -> Report:
        report = self.store.reports.by_number(number)
        if report is None:
            raise UserError("review.unknown", number=number)
        return report

    def reviewable(self, actor: Actor, report: Report) -> None:
        """Refuse unless the actor may return `report` now (their area; it still counts)."""
        check_reviewer(self.reports, actor, report)
        if report.retracted:
            raise UserError("review.retracted", number=report.number)
        self._type(report)

    # --- returning ------------------------------------------------------------------------------

    def give_back(self, actor: Actor, report: Report, reason: str) -> Returned:
        """Return `report` to its collaborator with `reason` (a second return replaces the
        first): marked, audited, announced, and the collaborator told, in one commit."""
        self.reviewable(actor, report)
        officer = actor.person
        assert officer is not None  # check_reviewer refuses without one
        rt = self._type(report)
        reason = reason.strip()
        if not reason:
            raise UserError("review.usage")
        if len(reason) > MAX_REASON:
            raise UserError("review.reason_too_long", length=len(reason), limit=MAX_REASON)
        collaborator = self.collaborator(report)
        village = village_name(self.reports, report)
        if collaborator is None:
            raise UserError("review.nobody", village=village, number=report.number)
        if collaborator.id == officer.id:
            fix = self.reports.corrections.fix_example(report)
            raise UserError("review.own_report", number=report.number, example=fix)
        reached = self.reach(collaborator, report)
        now = self.clock.now()
        mark = ReportReturn(
            number=report.number, report_id=report.id, type=report.type, area=report.area,
            period=report.period, version=report.version, officer=officer.id,
            collaborator=collaborator.id, reason=reason, returned_at=now,
            told=reached.chat.key if reached.chat is not None else "",
        )  # fmt: skip
        lang = collaborator.language or self.default_lang
        with self.store.atomic():
            self.store.report_returns.save(mark)
            self.audit.by(actor, "report.return", target=f"report:{report.number}",
                          detail=self._detail(report))  # fmt: skip
            self.events.emit(ReportEvent(REPORT_RETURNED, report, now, actor=officer.id,
                                         reason=reason))  # fmt: skip
            if reached.chat is not None:
                text = self.text.returned(
                    lang, report, rt, village=village, officer=self.signature(officer),
                    reason=reason, fix=fix_line(report, rt, self.reports.types, reason),
                    name=collaborator.name if reached.group else "",
                )  # fmt: skip
                self._send(reached.chat, text, lang, collaborator, "review.return", report)
        log.info("report=%s returned by=%s told=%s", report.number, officer.id,
                 reached.chat.kind if reached.chat else "nobody")  # fmt: skip
        return Returned(mark, report, rt, village, reached)

    def accept(self, actor: Actor, report: Report) -> Returned:
        """Take a returned report as it was: the mark closes and the collaborator is told."""
        check_reviewer(self.reports, actor, report)
        officer = actor.person
        assert officer is not None
        mark = self.store.report_returns.get(report.number)
        if mark is None or not mark.open:
            raise UserError("review.not_returned", number=report.number)
        rt = self._type(report)
        closed = replace(mark, state=ReturnState.ACCEPTED, closed_at=self.clock.now(),
                         closed_by=officer.id, closed_version=report.version)  # fmt: skip
        collaborator = self.store.people.get(mark.collaborator)
        village = village_name(self.reports, report)
        reached = (
            self.reach(collaborator, report) if collaborator is not None and collaborator.active
            else Reached(None, collaborator.name if collaborator else "")
        )  # fmt: skip
        with self.store.atomic():
            self.store.report_returns.save(closed)
            self.audit.by(actor, "report.accept", target=f"report:{report.number}",
                          detail=self._detail(report))  # fmt: skip
            if reached.chat is not None and collaborator is not None:
                lang = collaborator.language or self.default_lang
                text = self.text.accepted(lang, report, rt, village=village,
                                          officer=self.signature(officer))  # fmt: skip
                if reached.group:
                    text = self.text.t(lang, "review.for_person", name=collaborator.name) + (
                        "\n" + text
                    )
                self._send(reached.chat, text, lang, collaborator, "review.accept", report)
        return Returned(closed, report, rt, village, reached)

    # --- reading --------------------------------------------------------------------------------

    def waiting(self, actor: Actor) -> list[tuple[ReportReturn, Report]]:
        """Returned reports of the actor's area still waiting for a correction, oldest first."""
        found = []
        for mark in self.store.report_returns.waiting():
            if not actor.covers(self.areas, mark.area, REVIEWERS):
                continue
            report = self.store.reports.get(mark.report_id)
            if report is not None:
                found.append((mark, report))
        return found

    def waiting_in(self, area: str, type_code: str, period: str) -> list[ReportReturn]:
        """Returned reports of one type and period under `area`, still waiting (for /thieu)."""
        return [
            m for m in self.store.report_returns.waiting()
            if m.type == type_code and m.period == period and self.areas.contains(area, m.area)
        ]  # fmt: skip

    def for_reporter(self, person_id: int) -> list[ReportReturn]:
        """The returned reports a collaborator is asked to correct, oldest first."""
        return [m for m in self.store.report_returns.waiting() if m.collaborator == person_id]

    def person_name(self, person_id: int | None) -> str:
        person = self.store.people.get(person_id) if person_id is not None else None
        return person.name if person is not None else f"#{person_id}"

    def fix(self, report: Report, reason: str = "") -> str:
        """The one-line correction of `report` (the fields `reason` names, else all)."""
        return fix_line(report, self._type(report), self.reports.types, reason)

    # --- who, and where ----------------------------------------------------------------------

    def collaborator(self, report: Report) -> Person | None:
        """Who corrects it: whoever first sent it, while active; else the village's active
        collaborator (the one who took the village over)."""
        first = self.store.reports.versions(report.id)[0]
        person = self.store.people.get(first.reporter)
        if person is not None and person.active:
            return person
        for other in self.store.people.all():
            if other.active and any(
                g.role is Role.COLLABORATOR and g.area == report.area for g in other.roles
            ):
                return other
        return None

    def reach(self, person: Person, report: Report) -> Reached:
        """Privately, on the platform the report came from if the bot can write there, else on
        another; failing that, in the bound group the report was sent in; else nowhere."""
        running = set(self.outbox.delivery.platforms)
        live = [a.key for a in person.accounts if a.reachable and _on(a.key, running)]
        same = [k for k in live if UserRef.parse(k).platform == report.platform]
        account = (same or live or [private_account(person, running)])[0]
        if account:
            return Reached(private_chat(account), person.name)
        chat_key = report.source_message.rpartition(":")[0]
        binding = self.store.groups.get(chat_key) if chat_key else None
        if binding is not None and binding.active:
            chat = chat_from_key(chat_key, str(ChatKind.GROUP))
            if (chat.platform, chat.bot) in running:
                where = self.areas.get(binding.area).name if binding.area in self.areas else ""
                group = binding.title or where
                return Reached(chat, person.name, group=group)
        return Reached(None, person.name)

    def signature(self, officer: Person) -> str:
        return officer.name

    # --- helpers ------------------------------------------------------------------------------

    def _send(
        self, chat: ChatRef, text: str, lang: str, person: Person, kind: str, report: Report
    ) -> None:
        message = Message(chat, text, lang=lang, recipient=person.id)
        self.outbox.enqueue([message], kind=kind, ref=f"report:{report.number}")

    def _type(self, report: Report) -> ReportType:
        rt = self.reports.types.get(report.type)
        if rt is None:  # the type left the config: its reports are kept, not reviewed
            raise UserError("report.type_gone")
        return rt

    @staticmethod
    def _detail(report: Report) -> dict[str, object]:
        return {"area": report.area, "period": report.period, "type": report.type,
                "version": report.version}  # fmt: skip


def _on(account: str, running: set[tuple[str, str]]) -> bool:
    user = UserRef.parse(account)
    return (user.platform, user.bot) in running
