"""The `/baocao` grammar: a message → a type, its values, period, village; or a UserError.

A message is stored whole or not at all. The walk notes the first problem (an unknown word, a
bad value, a period that does not fit…), reads on, and raises it at the end with the message
the person meant, written correctly to copy (bot.features.reports.grammar.reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.errors import UserError
from bot.core.periods import PeriodError, match_period_words, period_forms, period_of
from bot.features.reports.grammar.tokens import (
    NUMBER_WORDS,
    Segment,
    looks_numeric,
    number_value,
    segments,
    strip_command,
)
from bot.features.reports.grammar.unknown import UnknownWords
from bot.features.reports.grammar.values import Value, other_value, sample_value
from bot.features.reports.grammar.words import VILLAGES, all_units, units_of
from bot.features.reports.previous import PREVIOUS
from bot.features.reports.types import FieldSpec, ReportTypes

_PERIOD_HEADS = frozenset({"thang", "tuan", "quy", "ngay", "hom"})


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """What a report message says. `period` is None when not given: use the current one.

    `event_date` is the `ngay dd/mm` of an event-mode report (its period then is the one
    holding that day); `village` is the text after `thon`, for the caller to resolve. Empty
    `values` mean the message named no field: the caller starts the step-by-step form, unless
    `previous` ("như kỳ trước", period mode): then `values` change the previous period's.
    """

    type: str
    values: dict[str, Value]
    period: str | None = None
    village: str | None = None
    event_date: date | None = None
    previous: bool = False


def parse_report(text: str, *, types: ReportTypes, today: date) -> ParsedReport:
    """Read a report message (with or without its command word); all of it, or UserError.

    `today` is the local date, for period words without a year and for the examples.
    """
    return _Parser(types, today).parse(text)


class _Parser(UnknownWords):
    """One parse: a longest-match walk over the tokens of each segment, item by item."""

    def parse(self, text: str) -> ParsedReport:
        for seg in segments(strip_command(text)):
            index = 0 if self.started else self._lead(seg)
            if not self.started and index < len(seg.tokens):
                index = self._type(seg, index)
            while index < len(seg.tokens):
                index = self._item(seg, index)
        self.finish(self._reads)
        return ParsedReport(
            type=self.rt.code,
            values=dict(self.values),
            period=self.period.key if self.period else None,
            village=self.village,
            event_date=self.event_date,
            previous=self.previous,
        )

    def _reads(self, text: str) -> bool:
        """Whether an example reads back as a report (without examples of its own)."""
        try:
            parsed = _Parser(self.types, self.today, checking=True).parse(text)
        except UserError:
            return False
        return bool(parsed.values) or parsed.previous

    def _lead(self, seg: Segment) -> int:
        """Past what may come before the type: marks and polite words ("/bc: Dạ, em báo cáo")."""
        index = 0
        while index < len(seg.tokens):
            step = 1 if seg.tokens[index].is_mark else self._polite(seg, index)
            if not step:
                break
            index += step
        return index

    def _type(self, seg: Segment, index: int) -> int:
        """A type named first selects it, unless a longer field name starts there."""
        words = seg.words(index)
        found = self.types.type_index.match(words)
        field = self.fields.match(words)
        if found is None or (field is not None and field[1] > found[1]):
            return index
        self.rt = found[0]
        self.started = True  # a later unknown word is then a field, not a misspelt type
        return index + found[1]

    def _item(self, seg: Segment, index: int) -> int:
        """Read one pair, period, village or polite word at `index`; return where the next
        item starts."""
        token = seg.tokens[index]
        if token.is_mark:
            return index + 1  # a stray ':' or '=' between pairs says nothing
        words = seg.words(index)
        found = self.fields.match(words)
        if found is not None:
            self.started = True
            return self._value(seg, index, found[0], found[1])
        phrase = PREVIOUS.match(words)
        if phrase is not None:
            return self._previous(seg, index + phrase[1])
        used = self._period(seg, index) or self._village(seg, index)
        if used:
            self.started = True
            return index + used
        if number_value(token.folded) is not None or looks_numeric(token.folded):
            self.note("report.value_without_field", value=token.raw)
            return index + 1
        other = self._other_field(words)
        if other is not None:
            return self._other(seg, index, *other)
        polite = self._polite(seg, index)
        return index + polite if polite else self._unknown(seg, index)

    def _previous(self, seg: Segment, at: int) -> int:
        """"Như kỳ trước": the named fields change the previous period's report (checked in
        `finish`: period mode only). The type may follow it ("như kỳ trước thaisan …")."""
        self.previous = True
        if not self.started and at < len(seg.tokens):
            return self._type(seg, at)
        return at

    def _starts_item(self, seg: Segment, index: int) -> bool:
        words = seg.words(index)
        if self.fields.match(words) or VILLAGES.match(words) or PREVIOUS.match(words):
            return True
        try:
            return match_period_words(seg.folded(index), today=self.today) is not None
        except PeriodError:
            return True

    def _value(self, seg: Segment, index: int, spec: FieldSpec, size: int) -> int:
        at = index + size
        if at < len(seg.tokens) and seg.tokens[at].is_mark:
            at += 1
        name, code = spec.name_vi, spec.code
        twice = code in self.values or code in self.shown
        if twice:
            self.note("report.duplicate_field", field=name)
        if spec.kind != "number":
            return self._other_kind(seg, at, spec, keep=not twice)
        if self._no_value_at(seg, at):
            self.note("report.field_without_value", field=name)
            self.shown.setdefault(code, sample_value(spec, self.today))
            return at
        token = seg.tokens[at]
        number = number_value(token.folded)
        if number is None and not looks_numeric(token.folded) and token.folded not in NUMBER_WORDS:
            misread = self._misread(seg, index, spec, at)
            if misread is not None:
                return misread
        if number is None or not spec.min <= number <= spec.max:
            self.note("report.bad_value", field=name, value=token.raw, min=spec.min, max=spec.max)
            meant = NUMBER_WORDS.get(token.folded, -1)
            fix = meant if spec.min <= meant <= spec.max else sample_value(spec, self.today)
            self.shown.setdefault(code, fix)
            return self._unit(seg, at + 1, spec)[0]
        end, doubtful = self._unit(seg, at + 1, spec)
        if doubtful:  # the example shows a count in the field's own unit, to be checked
            self.shown.setdefault(code, sample_value(spec, self.today))
            if spec.units:
                self.shown_units.setdefault(code, spec.units[0])
        elif not twice:
            self.values[code] = number
        self.last = (seg, index, end)
        return end

    def _no_value_at(self, seg: Segment, at: int) -> bool:
        """Nothing, a mark, the next item, a unit or a polite word where a number belongs."""
        if at >= len(seg.tokens) or seg.tokens[at].is_mark or self._starts_item(seg, at):
            return True
        if number_value(seg.tokens[at].folded) is not None:
            return False
        return bool(all_units(self.types).match(seg.words(at)) or self._polite(seg, at))

    def _other_kind(self, seg: Segment, at: int, spec: FieldSpec, *, keep: bool) -> int:
        """A yes/no, choice, text or date value: the rest of the segment."""
        raw = seg.rest(at)
        if not raw:
            self.note("report.field_without_value", field=spec.name_vi)
        else:
            try:
                value = other_value(spec, raw, today=self.today, example=str)  # ours: at the end
            except UserError as exc:
                self.note(exc.key, **{k: v for k, v in exc.params.items() if k != "example"})
            else:
                if keep:
                    self.values[spec.code] = value
                return len(seg.tokens)
        if keep:
            self.shown.setdefault(spec.code, sample_value(spec, self.today))
        return len(seg.tokens)

    def _unit(self, seg: Segment, at: int, spec: FieldSpec | None) -> tuple[int, bool]:
        """After a number, a unit word that fits its field ("2 ca"); one that does not
        ("sinh 1 cặp") is a problem, as it leaves the count in doubt. Where the next item
        starts, and whether the count is in doubt."""
        if at >= len(seg.tokens) or self._starts_item(seg, at):
            return at, False
        words = seg.words(at)
        own = units_of(spec).match(words) if spec is not None else None
        if own is not None:
            return at + own[1], False
        known = all_units(self.types).match(words)
        if known is None:
            return at, False
        if spec is not None:
            unit = seg.span(at, at + known[1] - 1)
            if spec.units:
                units = ", ".join(spec.units)
                self.note("report.bad_unit", field=spec.name_vi, unit=unit, units=units)
            else:
                self.note("report.no_unit", field=spec.name_vi, unit=unit)
        return at + known[1], spec is not None

    def _period(self, seg: Segment, index: int) -> int:
        """Period words at `index`: the period (or event day) of the report; tokens used."""
        forms = period_forms(self.rt.period, self.today)
        try:
            words = match_period_words(seg.folded(index), today=self.today)
        except PeriodError as exc:
            key = "report.future_period" if exc.reason == "future" else "report.bad_period"
            self.note(key, period=exc.text, forms=forms)
            self.shown_period = self.shown_period or period_of(self.rt.period, self.today)
            return _period_extent(seg, index)
        if words is None:
            return 0
        text = seg.span(index, index + words.length - 1)
        if words.day is not None:
            period = period_of(self.rt.period, words.day)
        elif words.period is not None and words.period.kind == self.rt.period:
            period = words.period
        else:
            self.note("report.bad_period", period=text, forms=forms)
            self.shown_period = self.shown_period or period_of(self.rt.period, self.today)
            return words.length
        # One period and one day at most, and they must agree ("thang 11 ngay 20/11").
        kind = "day" if words.day is not None else "period"
        if kind in self.period_words or (self.period is not None and period != self.period):
            self.note("report.duplicate_period", period=text)
            return words.length
        self.period_words.add(kind)
        self.period = period
        if words.day is not None and self.rt.mode == "event":
            self.event_date = words.day
        return words.length

    def _village(self, seg: Segment, index: int) -> int:
        """`thon <code or name>`: the village runs to the next separator, field or period
        (polite words after it, "thôn Sơn Ninh ạ", are the caller's: "Thôn Cây Đa" is a name)."""
        found = VILLAGES.match(seg.words(index))
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
            self.note("report.field_without_value", field=keyword)
        elif self.village is not None:
            self.note("report.duplicate_village", village=seg.span(start, end - 1))
        else:
            self.village = seg.span(start, end - 1)
        return end - index


def _period_extent(seg: Segment, index: int) -> int:
    """How many tokens period words that name no valid period take ("thang 13", "t13")."""
    if seg.tokens[index].folded not in _PERIOD_HEADS:
        return 1
    mark = index + 1 < len(seg.tokens) and seg.tokens[index + 1].is_mark
    return min(3 if mark else 2, len(seg.tokens) - index)
