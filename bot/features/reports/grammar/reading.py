"""What one reading of a report message holds, and the first problem it found, raised at the
end with the message to copy: the person's own values, the problem fixed or left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.errors import UserError
from bot.core.periods import Period
from bot.features.reports.grammar.checks import broken_numbers, keeping_rules
from bot.features.reports.grammar.tokens import Segment
from bot.features.reports.grammar.values import Value, example, render, sample_value
from bot.features.reports.types import PhraseIndex, ReportType, ReportTypes


@dataclass(slots=True)
class Problem:
    """A refusal's catalog key and parameters, its example still to be written."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


class Reading:
    """The state of one parse: type, values, period, village; the first problem, and what
    its example needs (values that fix it, a period that fits, pairs of another type)."""

    def __init__(self, types: ReportTypes, today: date, *, checking: bool = False) -> None:
        self.types, self.today, self.checking = types, today, checking
        self.rt: ReportType = types.default
        self.values: dict[str, Value] = {}
        self.period: Period | None = None
        self.event_date: date | None = None
        self.village: str | None = None
        self.previous = False  # "như kỳ trước": the values change the previous period's
        self.started = False  # a type or an item was read
        self.period_words: set[str] = set()
        self.problem: Problem | None = None  # the first one; the reading goes on
        self.shown: dict[str, Value] = {}  # values only the example has: problems fixed
        self.shown_units: dict[str, str] = {}  # a count in doubt is shown with its own unit
        self.shown_period: Period | None = None
        self.others: dict[str, dict[str, Value]] = {}  # pairs of other types, by type code
        self.last: tuple[Segment, int, int] | None = None  # the last pair read (for "after")

    @property
    def fields(self) -> PhraseIndex:
        return self.types.fields_of(self.rt.code)

    def note(self, key: str, **params: Any) -> None:
        """A problem; only the first is told, but every one is fixed in the example."""
        if self.problem is None:
            self.problem = Problem(key, params)

    def finish(self, reads: Callable[[str], bool]) -> None:
        """Required fields and rules, checked once the whole message is read; then the first
        problem, with the message to copy (one that `reads`)."""
        rt = self.rt
        if self.previous and rt.mode != "period":  # each event is new: nothing carries over
            periodic = ", ".join(t.code for t in self.types if t.mode == "period")
            self.note("report.previous_event", type=rt.name_vi, types=periodic)
        if self.problem is None and not self.values:
            return  # nothing named: the caller starts the form (or repeats the previous)
        # Starting from the previous report, the whole is checked once it is carried over.
        carried = self.previous and rt.mode == "period"
        missing = [f.name_vi for f in rt.fields if f.required and f.code not in self.values]
        if missing and not carried:
            self.note("report.missing_required", fields=", ".join(missing))
        for rule in () if carried else rt.rules:
            if not rule.holds(self.values):
                numbers = broken_numbers(rule, rt, self.values)
                self.note("report.rule", message=rule.message_vi, rule=rule.text, numbers=numbers)
        if self.problem is None:
            return
        if self.checking:
            raise UserError(self.problem.key)
        raise UserError(self.problem.key, **self.problem.params, example=self._example(reads))

    def _example(self, reads: Callable[[str], bool]) -> str:
        """The person's own message, the problems fixed or left out; the type's example where
        nothing of theirs can be kept. A field of another type shows that type's message."""
        assert self.problem is not None
        rt, period = self.rt, self.shown_period or self.period
        key = period.key if period else None
        values: dict[str, Value] | None
        if self.problem.key == "report.other_type":
            rt = self.types.get(self.problem.params["type"])
            values = dict(self.others.get(rt.code, {}))
        else:
            values = {**self.shown, **self.values}
            carried = self.previous and rt.mode == "period"  # the rest comes from before
            for spec in rt.fields:
                if spec.required and spec.code not in values and not carried:
                    values[spec.code] = sample_value(spec, self.today)
            values = keeping_rules(rt, values)
            for code, unit in self.shown_units.items():
                if values is not None and code in values:
                    values[code] = f"{values[code]} {unit}"
        day = None if self.shown_period else self.event_date
        previous = self.previous and rt.mode == "period"
        if values or (values is not None and previous):
            text = render(rt, values, types=self.types, period=key, village=self.village,
                          event_date=day, previous=previous)  # fmt: skip
            if reads(text):
                return text
        return example(rt, types=self.types, today=self.today, period=key, village=self.village)
