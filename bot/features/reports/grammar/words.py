"""Words around a report's numbers that are no field: village words, polite words, units."""

from __future__ import annotations

import functools
import weakref

from bot.config.reports import DEFAULT_UNITS
from bot.features.reports.grammar.tokens import POLITE_WORDS, VILLAGE_WORDS, Segment, segments
from bot.features.reports.types import FieldSpec, PhraseIndex, ReportTypes

VILLAGES = PhraseIndex((w, w) for w in VILLAGE_WORDS)
POLITE = PhraseIndex((w, w) for w in POLITE_WORDS)
_ALL_UNITS: weakref.WeakKeyDictionary[ReportTypes, PhraseIndex] = weakref.WeakKeyDictionary()


def polite_run(seg: Segment, index: int) -> int:
    """Past the polite words at `index` ("Dạ em báo cáo ạ")."""
    while index < len(seg.tokens):
        found = POLITE.match(seg.words(index))
        if found is None:
            break
        index += found[1]
    return index


def without_polite_tail(text: str) -> str:
    """`text` without the polite words that end it ("Sơn Ninh ạ" → "Sơn Ninh")."""
    pieces = segments(text)
    if len(pieces) != 1:
        return text
    seg = pieces[0]
    for index in range(1, len(seg.tokens)):
        if polite_run(seg, index) == len(seg.tokens):
            return seg.text[: seg.tokens[index].start].strip()
    return text


@functools.lru_cache(maxsize=256)
def units_of(spec: FieldSpec) -> PhraseIndex:
    """The unit words this field's number may carry ("2 ca", "1 cặp")."""
    return PhraseIndex((u, u) for u in spec.units)


def all_units(types: ReportTypes) -> PhraseIndex:
    """Every unit word of any field, and the default ones: after a number, a unit, though
    maybe not that field's ("sinh 1 cặp")."""
    found = _ALL_UNITS.get(types)
    if found is None:
        words = {u for rt in types for spec in rt.fields for u in spec.units}
        found = _ALL_UNITS[types] = PhraseIndex((u, u) for u in (*DEFAULT_UNITS, *words))
    return found
