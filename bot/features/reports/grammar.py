"""The `/baocao` grammar: a message → a type, its values, period, village; or a UserError."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from bot.core.errors import UserError
from bot.core.periods import Period, PeriodError, match_period_words, period_forms, period_of
from bot.core.text import fold
from bot.features.reports.tokens import (
    NUMBER_WORDS,
    VILLAGE_WORDS,
    Segment,
    looks_numeric,
    number_value,
    segments,
    strip_command,
)
from bot.features.reports.types import FieldSpec, PhraseIndex, ReportType, ReportTypes
from bot.features.reports.values import (
    Value,
    example,
    other_value,
    suggestions,
    type_suggestions,
)

_VILLAGES = PhraseIndex((w, w) for w in VILLAGE_WORDS)
# A misspelt field ("sinh con thu ba") is told apart from a bad value ("sinh hai") this way.
_MISREAD_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """What a report message says. `period` is None when not given: use the current one.

    `event_date` is the `ngay dd/mm` of an event-mode report (its period then is the one
    holding that day); `village` is the text after `thon`, for the caller to resolve. Empty
    `values` mean the message named no field: the caller starts the step-by-step form.
    """

    type: str
    values: dict[str, Value]
    period: str | None = None
    village: str | None = None
    event_date: date | None = None


def parse_report(text: str, *, types: ReportTypes, today: date) -> ParsedReport:
    """Read a report message (with or without its command word); all of it, or UserError.

    `today` is the local date, for period words without a year and for the examples.
    """
    return _Parser(types, today).parse(text)


class _Parser:
    """One parse: a longest-match walk over the tokens of each segment, item by item."""

    def __init__(self, types: ReportTypes, today: date) -> None:
        self.types, self.today = types, today
        self.rt: ReportType = types.default
        self.values: dict[str, Value] = {}
        self.period: Period | None = None
        self.event_date: date | None = None
        self.village: str | None = None
        self.started = False  # a type or an item was read
        self.period_words: set[str] = set()

    @property
    def fields(self) -> PhraseIndex:
        return self.types.fields_of(self.rt.code)

    def example(self, rt: ReportType | None = None) -> str:
        return example(rt or self.rt, types=self.types, today=self.today)

    def parse(self, text: str) -> ParsedReport:
        pieces = segments(strip_command(text))
        for number, seg in enumerate(pieces):
            index = self._type(seg) if number == 0 else 0
            while index < len(seg.tokens):
                index = self._item(seg, index)
        self._finish()
        return ParsedReport(
            type=self.rt.code,
            values=dict(self.values),
            period=self.period.key if self.period else None,
            village=self.village,
            event_date=self.event_date,
        )

    def _type(self, seg: Segment) -> int:
        """A type named first selects it, unless a longer field name starts there."""
        words = seg.words(0)
        found = self.types.type_index.match(words)
        field = self.fields.match(words)
        if found is None or (field is not None and field[1] > found[1]):
            return 0
        self.rt = found[0]
        self.started = True  # a later unknown word is then a field, not a misspelt type
        return found[1]

    def _item(self, seg: Segment, index: int) -> int:
        """Read one pair, period or village at `index`; return where the next item starts."""
        token = seg.tokens[index]
        if token.is_mark:
            return index + 1  # a stray ':' or '=' between pairs says nothing
        field = self.fields.match(seg.words(index))
        if field is not None:
            self.started = True
            return self._value(seg, index, field[0], field[1])
        used = self._period(seg, index) or self._village(seg, index)
        if used:
            self.started = True
            return index + used
        if number_value(token.folded) is not None or looks_numeric(token.folded):
            raise UserError("report.value_without_field", value=token.raw, example=self.example())
        self._unknown(seg, index)

    def _starts_item(self, seg: Segment, index: int) -> bool:
        words = seg.words(index)
        if self.fields.match(words) or _VILLAGES.match(words):
            return True
        try:
            return match_period_words(seg.folded(index), today=self.today) is not None
        except PeriodError:
            return True

    def _value(self, seg: Segment, index: int, spec: FieldSpec, size: int) -> int:
        at = index + size
        if at < len(seg.tokens) and seg.tokens[at].is_mark:
            at += 1
        name = spec.name_vi
        if spec.code in self.values:
            raise UserError("report.duplicate_field", field=name, example=self.example())
        if spec.kind != "number":
            raw = seg.rest(at)
            if not raw:
                raise UserError("report.field_without_value", field=name, example=self.example())
            self.values[spec.code] = other_value(spec, raw, today=self.today, example=self.example)
            return len(seg.tokens)
        if at >= len(seg.tokens) or seg.tokens[at].is_mark or self._starts_item(seg, at):
            raise UserError("report.field_without_value", field=name, example=self.example())
        token = seg.tokens[at]
        number = number_value(token.folded)
        if number is None and not looks_numeric(token.folded) and token.folded not in NUMBER_WORDS:
            self._misread(seg, index, spec, at)
        if number is None or not spec.min <= number <= spec.max:
            raise UserError(
                "report.bad_value",
                field=name,
                value=token.raw,
                min=spec.min,
                max=spec.max,
                example=self.example(),
            )
        self.values[spec.code] = number
        return at + 1

    def _misread(self, seg: Segment, index: int, spec: FieldSpec, at: int) -> None:
        """`sinh con thu ba 2` is a misspelt field name, not `sinh` with the value `con`."""
        end = self._phrase_end(seg, at)
        phrase = fold(seg.span(index, end - 1))
        close = difflib.get_close_matches(
            phrase, self.fields.phrases(), n=1, cutoff=_MISREAD_CUTOFF
        )
        if close and self.fields.get(close[0]) is not spec:
            raise UserError(
                "report.unknown_field",
                field=seg.span(index, end - 1),
                type=self.rt.name_vi,
                suggestions=", ".join(suggestions(self.rt, self.types, phrase)),
                example=self.example(),
            )

    def _phrase_end(self, seg: Segment, start: int) -> int:
        """Where words that are no number, mark or known item end (an unknown name's extent)."""
        end = start
        while end < len(seg.tokens):
            token = seg.tokens[end]
            if token.is_mark or number_value(token.folded) is not None:
                break
            if looks_numeric(token.folded) or (end > start and self._starts_item(seg, end)):
                break
            end += 1
        return max(end, start + 1)

    def _unknown(self, seg: Segment, index: int) -> NoReturn:
        """An unknown name: a field of another type, a misspelt type, or a misspelt field."""
        words = seg.words(index)
        for other in self.types:
            found = self.types.fields_of(other.code).match(words)
            if other is not self.rt and found is not None:
                raise UserError(
                    "report.other_type",
                    field=found[0].name_vi,
                    type=other.code,
                    example=self.example(other),
                )
        end = self._phrase_end(seg, index)
        phrase = seg.span(index, end - 1)
        close_types = type_suggestions(self.types, words[0])
        if not self.started and close_types and not self._close_field(phrase):
            raise UserError(
                "report.unknown_type",
                name=seg.tokens[index].raw,
                suggestions=", ".join(close_types),
                example=self.example(),
            )
        raise UserError(
            "report.unknown_field",
            field=phrase,
            type=self.rt.name_vi,
            suggestions=", ".join(suggestions(self.rt, self.types, phrase)),
            example=self.example(),
        )

    def _close_field(self, phrase: str) -> bool:
        phrases = self.fields.phrases()
        return bool(difflib.get_close_matches(fold(phrase), phrases, n=1, cutoff=_MISREAD_CUTOFF))

    def _period(self, seg: Segment, index: int) -> int:
        """Period words at `index`: the period (or event day) of the report; tokens used."""
        try:
            words = match_period_words(seg.folded(index), today=self.today)
        except PeriodError as exc:
            key = "report.future_period" if exc.reason == "future" else "report.bad_period"
            raise UserError(
                key,
                period=exc.text,
                forms=period_forms(self.rt.period, self.today),
                example=self.example(),
            ) from None
        if words is None:
            return 0
        text = seg.span(index, index + words.length - 1)
        if words.day is not None:
            period = period_of(self.rt.period, words.day)
        elif words.period is not None and words.period.kind == self.rt.period:
            period = words.period
        else:
            raise UserError(
                "report.bad_period",
                period=text,
                forms=period_forms(self.rt.period, self.today),
                example=self.example(),
            )
        # One period and one day at most, and they must agree ("thang 11 ngay 20/11").
        kind = "day" if words.day is not None else "period"
        if kind in self.period_words or (self.period is not None and period != self.period):
            raise UserError("report.duplicate_period", period=text, example=self.example())
        self.period_words.add(kind)
        self.period = period
        if words.day is not None and self.rt.mode == "event":
            self.event_date = words.day
        return words.length

    def _village(self, seg: Segment, index: int) -> int:
        """`thon <code or name>`: the village runs to the next separator, field or period."""
        found = _VILLAGES.match(seg.words(index))
        if found is None:
            return 0
        start = index + found[1]
        if start < len(seg.tokens) and seg.tokens[start].is_mark:
            start += 1
        end = start
        while end < len(seg.tokens) and not (end > start and self._starts_item(seg, end)):
            end += 1
        if end == start:
            keyword = seg.span(index, index + found[1] - 1)
            raise UserError("report.field_without_value", field=keyword, example=self.example())
        if self.village is not None:
            raise UserError(
                "report.duplicate_village",
                village=seg.span(start, end - 1),
                example=self.example(),
            )
        self.village = seg.span(start, end - 1)
        return end - index

    def _finish(self) -> None:
        """Required fields and rules, checked once the whole message is read."""
        if not self.values:
            return
        missing = [f.name_vi for f in self.rt.fields if f.required and f.code not in self.values]
        if missing:
            raise UserError(
                "report.missing_required", fields=", ".join(missing), example=self.example()
            )
        for rule in self.rt.rules:
            if not rule.holds(self.values):
                raise UserError(
                    "report.rule", message=rule.message_vi, rule=rule.text, example=self.example()
                )
