"""Periods marked as checked ("đã duyệt"): `/daduyet <village> [period]`, or on a report
(`/daduyet 12`, or as a reply to its echo) for that report's village and period.

A check covers every report type of that period (a month checks the monthly types). Without a
period: the current one, or the one before when the current has nothing yet (early in a month
the officer checks the month that just ended). An empty period is not checked: there is
nothing to look at, and the refusal names the latest period that has reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import Incoming
from bot.core.models import Area
from bot.core.periods import Period, describe
from bot.core.places import resolve
from bot.core.review_records import PeriodCheck
from bot.core.text import fold
from bot.features.review.finding import REVIEWERS, check_reviewer, meant

if TYPE_CHECKING:
    from bot.features.audit.log import AuditLog
    from bot.features.reports.service import Reports

LOOK_BACK = 12  # periods searched for the latest one with reports, for a refusal's example


@dataclass(frozen=True, slots=True)
class Checked:
    """A period just marked as checked."""

    check: PeriodCheck
    village: Area
    again: bool  # it had been checked before (the new check replaces the old)
    waiting: tuple[int, ...]  # reports of the period still returned, waiting for a correction


class PeriodChecks:
    """Marking a village's period as checked; the watch flags later changes."""

    def __init__(self, *, reports: Reports, audit: AuditLog) -> None:
        self.reports = reports
        self.store = reports.store
        self.areas = reports.areas
        self.audit = audit

    def mark(self, actor: Actor, inc: Incoming, text: str) -> Checked:
        """`/daduyet <village> [period]`, `/daduyet <n>`, or a reply to a report."""
        report, rest = meant(self.reports, actor, inc, text)
        if report is not None:
            check_reviewer(self.reports, actor, report)
            village, period = self.areas.get(report.area), periods.parse_key(report.period)
        else:
            village, period = self._read(actor, rest)
        count = self.counting(village.code, period)
        if not count:
            raise UserError(
                "review.check_empty", village=village.name, period=describe(period, "vi"),
                example=self._example(village),
            )  # fmt: skip
        person = actor.person
        assert person is not None  # a reviewer has a person record
        before = self.store.period_checks.get(village.code, period.key)
        check = PeriodCheck(village.code, period.key, person.id, self.reports.clock.now(), count)
        with self.store.atomic():
            self.store.period_checks.save(check)
            self.audit.by(actor, "report.check", target=village.code,
                          detail={"period": period.key, "reports": count})  # fmt: skip
        waiting = tuple(
            m.number for m in self.store.report_returns.waiting()
            if m.area == village.code and m.period == period.key
        )  # fmt: skip
        return Checked(check, village, before is not None, waiting)

    def counting(self, village: str, period: Period) -> int:
        """Reports that count, of every type reported per this kind of period."""
        return sum(
            1
            for rt in self.reports.types
            if rt.period == period.kind
            for r in self.store.reports.in_period(rt.code, period.key, areas=[village])
            if not r.retracted
        )

    def usage_example(self, actor: Actor) -> str:
        """`/daduyet <a village of theirs> <this period>`, to copy."""
        own = [a for a in actor.areas_of(REVIEWERS) if a in self.areas]
        villages = self.areas.villages_under(own[0] if own else self.areas.root.code)
        name = villages[0].name if villages else "Thôn 1"
        return f"/daduyet {name} {describe(self._default_kind_period(), 'vi')}"

    # --- reading what was typed -----------------------------------------------------------------

    def _read(self, actor: Actor, text: str) -> tuple[Area, Period]:
        words = fold(text).split()
        if not words:
            raise UserError("review.check_usage", example=self.usage_example(actor))
        period: Period | None = None
        cut = len(words)
        odd = False  # words that looked like a period but named none ("thang 13")
        for start in range(1, len(words)):
            try:
                found = periods.match_period_words(words[start:], today=self.reports.today())
            except periods.PeriodError:
                odd = True  # or a village's own name: "Thôn Thắng Lợi", "Thôn Quý Lộc"
                continue
            if found is not None and found.period and start + found.length == len(words):
                period, cut = found.period, start
                break
        try:
            village = resolve(self.areas, " ".join(words[:cut]), kinds=("village",))
        except UserError as exc:
            if odd:
                raise UserError("review.check_usage", example=self.usage_example(actor)) from exc
            raise
        if not actor.covers(self.areas, village.code, REVIEWERS):
            raise Forbidden("review.check_not_yours", village=village.name)
        if period is None:
            period = self._default_kind_period()
            if not self.counting(village.code, period):
                period = period.previous()  # early in a period: the one that just ended
                if not self.counting(village.code, period):
                    period = period.next()
        return village, period

    def _default_kind_period(self) -> Period:
        rt = self.reports.types.default
        return periods.current_period(rt, self.reports.today())

    def _example(self, village: Area) -> str:
        period = self._default_kind_period()
        for _ in range(LOOK_BACK):
            if self.counting(village.code, period):
                return f"/daduyet {village.name} {describe(period, 'vi')}"
            period = period.previous()
        return f"/daduyet {village.name} {describe(self._default_kind_period(), 'vi')}"
