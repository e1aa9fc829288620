"""The review's ear on every report version stored (a subscriber of bot.core.events, called
inside the commit that stores it): a new version of a returned report closes the return and the
officer who returned it is told; a change to a period an officer checked is flagged to them.

What it writes (the mark, the check's count, the officer's message in the outbox) commits with
the report. A store refusal goes up (the report is refused with it, and tried again later); any
other trouble is logged, since a notice must never cost anyone their report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.events import REPORT_RETURNED, Event, ReportEvent
from bot.core.messages import Button
from bot.core.models import Report
from bot.core.review_records import ReturnState
from bot.delivery.outbox import Message
from bot.delivery.sender import private_chat
from bot.features.broadcast.reach import private_account
from bot.features.review.finding import village_name
from bot.store.base import StoreError

if TYPE_CHECKING:
    from bot.features.review.service import Review

log = logging.getLogger(__name__)


class Watch:
    """Follows report versions for the review (subscribed in bot.app.wiring)."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.store = review.store
        self.text = review.text

    def __call__(self, event: Event) -> None:
        if not isinstance(event, ReportEvent) or event.type == REPORT_RETURNED:
            return
        try:
            self._heard(event)
        except StoreError:
            raise
        except UserError as exc:  # a Zalo quota that cannot cover the notice
            log.warning("review notice for report=%s not queued: %s", event.report.number,
                        exc.key)  # fmt: skip
        except Exception:
            log.exception("review could not follow report=%s", event.report.number)

    def _heard(self, event: ReportEvent) -> None:
        report = event.report
        rt = self.review.reports.types.get(report.type)
        if rt is None or report.number <= 0:
            return
        old = self._before(report)
        by = self.review.person_name(event.actor)
        village = village_name(self.review.reports, report)
        told: set[int] = set()
        mark = self.store.report_returns.get(report.number)
        if mark is not None and mark.open and report.version > mark.version:
            state = ReturnState.RETRACTED if report.retracted else ReturnState.CORRECTED
            self.store.report_returns.save(replace(
                mark, state=state, closed_at=event.at, closed_by=event.actor,
                closed_version=report.version,
            ))  # fmt: skip
            if event.actor != mark.officer:
                told.add(mark.officer)
                self._tell(mark.officer, report, lambda lang: self.text.corrected(
                    lang, old, report, rt, village=village, by=by))  # fmt: skip
        check = self.store.period_checks.get(report.area, report.period)
        if check is not None:
            self.store.period_checks.save(replace(check, changes=check.changes + 1))
            if check.officer != event.actor and check.officer not in told:
                self._tell(check.officer, report, lambda lang: self.text.changed_after_check(
                    lang, old, report, rt, village=village, by=by,
                    checked_at=check.checked_at))  # fmt: skip

    def _before(self, report: Report) -> Report | None:
        """The version before this one (None for a new report)."""
        if report.version <= 1:
            return None
        versions = self.store.reports.versions(report.id)
        older = [v for v in versions if v.version < report.version]
        return older[-1] if older else None

    def _tell(self, officer_id: int, report: Report, render: Callable[[str], str]) -> None:
        """Queue a private message to the officer, in their language, with «Trả lại» under it
        (a report that still counts may be returned again)."""
        person = self.store.people.get(officer_id)
        if person is None or not person.active:
            return
        running = set(self.review.outbox.delivery.platforms)
        account = private_account(person, running)
        if not account:
            log.info("review notice for report=%s: officer=%s cannot be reached privately",
                     report.number, officer_id)  # fmt: skip
            return
        lang = person.language or self.review.default_lang
        buttons: tuple[tuple[Button, ...], ...] = ()
        if not report.retracted:
            buttons = ((self.text.return_button(lang, report.number),),)
        message = Message(private_chat(account), render(lang), buttons=buttons, lang=lang,
                          recipient=person.id)  # fmt: skip
        self.review.outbox.enqueue([message], kind="review.notice", ref=f"report:{report.number}")
