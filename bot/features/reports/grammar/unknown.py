"""Words of a report message that are no field of its type: polite words, fields of another
type, a misspelt type or field, and words that mean nothing here."""

from __future__ import annotations

import difflib

from bot.core.errors import UserError
from bot.core.text import fold
from bot.features.reports.grammar.reading import Reading
from bot.features.reports.grammar.tokens import Segment, looks_numeric, number_value
from bot.features.reports.grammar.values import (
    SUGGESTION_CUTOFF,
    other_value,
    suggestions,
    type_suggestions,
)
from bot.features.reports.grammar.words import POLITE
from bot.features.reports.types import FieldSpec, ReportType

# A misspelt field ("sinh con thu ba") is told apart from a bad value ("sinh hai") this way.
MISREAD_CUTOFF = 0.8


class UnknownWords(Reading):
    """What the grammar's walk does with words that are no field, period or village."""

    def _starts_item(self, seg: Segment, index: int) -> bool:
        raise NotImplementedError

    def _unit(self, seg: Segment, at: int, spec: FieldSpec | None) -> tuple[int, bool]:
        raise NotImplementedError

    def _polite(self, seg: Segment, index: int) -> int:
        """Polite words at `index` ("em báo cáo", "ạ"), unless a field of any type starts
        there ("bao cao su" is a field); how many tokens they take."""
        words = seg.words(index)
        found = POLITE.match(words)
        if found is None or any(self.types.fields_of(t.code).match(words) for t in self.types):
            return 0
        return found[1]

    def _other_field(self, words: list[str]) -> tuple[ReportType, FieldSpec, int] | None:
        for other in self.types:
            found = self.types.fields_of(other.code).match(words)
            if other is not self.rt and found is not None:
                return other, found[0], found[1]
        return None

    def _other(
        self, seg: Segment, index: int, other: ReportType, spec: FieldSpec, size: int
    ) -> int:
        """A field of another type: refused; its pair is kept for that type's example."""
        self.note("report.other_type", field=spec.name_vi, type=other.code)
        pairs = self.others.setdefault(other.code, {})
        at = index + size
        if at < len(seg.tokens) and seg.tokens[at].is_mark:
            at += 1
        if spec.kind != "number":
            try:
                pairs[spec.code] = other_value(spec, seg.rest(at), today=self.today, example=str)
            except UserError:
                pass  # that type's example shows the pairs that were right
            return len(seg.tokens)
        number = number_value(seg.tokens[at].folded) if at < len(seg.tokens) else None
        if number is None:
            return at
        if spec.min <= number <= spec.max:
            pairs.setdefault(spec.code, number)
        return self._unit(seg, at + 1, None)[0]

    def _unknown(self, seg: Segment, index: int) -> int:
        """An unknown name: a misspelt type, a misspelt field, or a word that means nothing."""
        end = self._phrase_end(seg, index)
        close_types = type_suggestions(self.types, seg.tokens[index].folded)
        if not self.started and close_types and not self._close_field(seg.span(index, end - 1)):
            name = seg.tokens[index].raw
            self.note("report.unknown_type", name=name, suggestions=", ".join(close_types))
            self.rt = self.types.get(close_types[0])  # the rest is read as that type
            self.started = True
            return index + 1
        return self._unknown_field(seg, index, end)

    def _unknown_field(self, seg: Segment, index: int, end: int) -> int:
        """Unknown words: a misspelt field if a number follows (the example names the closest
        field), else words to leave out."""
        phrase = seg.span(index, end - 1)
        at = end + 1 if end < len(seg.tokens) and seg.tokens[end].is_mark else end
        number = number_value(seg.tokens[at].folded) if at < len(seg.tokens) else None
        last = self.last
        if number is None and last is not None and last[0] is seg and last[2] == index:
            self.note("report.unknown_word", word=phrase, after=seg.span(last[1], last[2] - 1))
            return end
        self.note(
            "report.unknown_field",
            field=phrase,
            type=self.rt.name_vi,
            suggestions=", ".join(suggestions(self.rt, self.types, phrase)),
        )
        if number is None:
            return end
        close = difflib.get_close_matches(
            fold(phrase), self.fields.phrases(), n=1, cutoff=SUGGESTION_CUTOFF
        )
        spec = self.fields.get(close[0]) if close else None
        if spec is not None and spec.kind == "number" and spec.min <= number <= spec.max:
            if spec.code not in self.values:
                self.shown.setdefault(spec.code, number)
        return self._unit(seg, at + 1, None)[0]

    def _misread(self, seg: Segment, index: int, spec: FieldSpec, at: int) -> int | None:
        """`sinh con thu ba 2` is a misspelt field name, not `sinh` with the value `con`."""
        end = self._phrase_end(seg, at)
        phrase = fold(seg.span(index, end - 1))
        close = difflib.get_close_matches(
            phrase, self.fields.phrases(), n=1, cutoff=MISREAD_CUTOFF
        )
        if close and self.fields.get(close[0]) is not spec:
            return self._unknown_field(seg, index, end)
        return None

    def _close_field(self, phrase: str) -> bool:
        phrases = self.fields.phrases()
        return bool(difflib.get_close_matches(fold(phrase), phrases, n=1, cutoff=MISREAD_CUTOFF))

    def _phrase_end(self, seg: Segment, start: int) -> int:
        """Where words that are no number, mark, polite word or known item end (an unknown
        name's extent)."""
        end = start
        while end < len(seg.tokens):
            token = seg.tokens[end]
            if token.is_mark or number_value(token.folded) is not None:
                break
            if looks_numeric(token.folded) or (
                end > start and (self._starts_item(seg, end) or POLITE.match(seg.words(end)))
            ):
                break
            end += 1
        return max(end, start + 1)
