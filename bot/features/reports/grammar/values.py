"""Values of non-number report fields, name suggestions, and correct example messages."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.periods import describe
from bot.core.text import fold
from bot.features.reports.grammar.tokens import SENTENCE_ENDS, VILLAGE_WORDS

if TYPE_CHECKING:
    from bot.features.reports.types import FieldSpec, ReportType, ReportTypes

Value = int | bool | str | date

YES_WORDS = frozenset({"co", "yes", "y", "x", "1", "dung", "co roi"})
NO_WORDS = frozenset({"khong", "ko", "no", "n", "0", "chua", "khong co"})
EXAMPLE_TEXT = "bình thường"
PREVIOUS_PHRASE = "như kỳ trước"  # period mode: start from the previous report (previous.py)
SUGGESTION_CUTOFF = 0.6
# Number patterns tried for an example, so that the rules of the type hold.
_PATTERNS = ((2, 1, 3, 1, 1, 1), (1, 1, 1, 1, 1, 1), (0, 0, 0, 0, 0, 0))


def flag_value(text: str) -> bool | None:
    folded = fold(text)
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    return None


def choice_value(spec: FieldSpec, text: str) -> str | None:
    """The option as written in config, for a typed answer (case and diacritics ignored)."""
    folded = fold(text)
    return next((o for o in spec.options if fold(o) == folded), None)


def date_value(text: str, *, today: date) -> date | None:
    """`24/11/2026`, `24/11/26` or `24/11` (the nearest such day to today); also - and . ."""
    parts = text.strip().replace("-", "/").replace(".", "/").split("/")
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        year = int(parts[2])
        years = [year + 2000 if year < 100 else year]
    else:
        years = [today.year, today.year - 1, today.year + 1]
    found = []
    for year in years:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: abs(d - today), default=None)


def other_value(spec: FieldSpec, raw: str, *, today: date, example: Callable[[], str]) -> Value:
    """The value of a yes/no, choice, date or text field (`raw`: the rest of its segment)."""
    name = spec.name_vi
    found: Value | None
    if spec.kind == "text":
        if len(raw) > spec.max_length:
            raise UserError("report.too_long", field=name, max=spec.max_length, example=example())
        return raw
    raw = raw.rstrip(SENTENCE_ENDS).rstrip() or raw  # "có." and "24/11/2026." end a sentence
    if spec.kind == "date":
        found = date_value(raw, today=today)
        if found is None:
            raise UserError("report.bad_date", field=name, value=raw, example=example())
        return found
    found = flag_value(raw) if spec.kind == "yesno" else choice_value(spec, raw)
    if found is None:
        raise UserError(
            "report.bad_choice", field=name, value=raw, allowed=allowed(spec), example=example()
        )
    return found


def allowed(spec: FieldSpec) -> str:
    """The answers a yes/no or choice field takes, as people type them."""
    return "có, không" if spec.kind == "yesno" else ", ".join(spec.options)


def suggestions(rt: ReportType, types: ReportTypes, phrase: str, *, limit: int = 3) -> list[str]:
    """Names of the fields closest to `phrase`; if none is close, the type's first fields."""
    index = types.fields_of(rt.code)
    close = difflib.get_close_matches(
        fold(phrase), index.phrases(), n=10, cutoff=SUGGESTION_CUTOFF
    )
    names = list(dict.fromkeys(index.get(c).name_vi for c in close))
    return names[:limit] or [f.name_vi for f in rt.fields[: limit + 2]]


def type_suggestions(types: ReportTypes, word: str) -> list[str]:
    """Codes of the report types whose names are close to `word`."""
    index = types.type_index
    close = difflib.get_close_matches(fold(word), index.phrases(), n=10, cutoff=0.75)
    return list(dict.fromkeys(index.get(c).code for c in close))


def example(
    rt: ReportType,
    *,
    types: ReportTypes,
    today: date,
    period: str | None = None,
    village: str | None = None,
) -> str:
    """A correct message for the type: required fields, then unrelated ones, rules kept;
    with a period or village when the example is about one.

    Fields that share a rule with one already chosen are passed over, so that the example
    shows several kinds of fields ("Sinh: 2, Chết: 1, Chuyển đến: 3").
    """
    chosen = [f for f in rt.fields if f.required]
    for spec in rt.fields:
        linked = any(
            spec.code in rule.fields() and any(c.code in rule.fields() for c in chosen)
            for rule in rt.rules
        )
        if len(chosen) < 3 and spec not in chosen and not linked:
            chosen.append(spec)
    chosen.sort(key=rt.fields.index)
    for pattern in _PATTERNS:
        values = _values(chosen, pattern, today)
        if all(rule.holds(values) for rule in rt.rules):
            return render(rt, values, types=types, period=period, village=village)
    spec = rt.fields[0]  # rules that no small numbers satisfy: the simplest message
    only = _values([spec], (spec.min,), today)
    return render(rt, only, types=types, period=period, village=village)


def command_head(rt: ReportType, types: ReportTypes) -> str:
    """How a message of this type starts: the command, and the type unless it is the default."""
    return "/baocao" if rt.code == types.default.code else f"/baocao {rt.code}"


def render(
    rt: ReportType,
    values: dict[str, Value],
    *,
    types: ReportTypes,
    period: str | None = None,
    village: str | None = None,
    event_date: date | None = None,
    previous: bool = False,
) -> str:
    """A report written as the message that reads back to it (the message to copy): the
    village and period first, then each field by its name, in the type's order. `previous`:
    the fields change the previous period's report ("như kỳ trước", before them)."""
    parts = [] if village is None else [village_words(village)]
    if event_date is not None:
        parts.append(f"ngày {event_date:%d/%m/%Y}")
    elif period is not None:
        parts.append(describe(period, "vi"))
    if previous:
        parts.append(PREVIOUS_PHRASE)
    parts += [f"{f.name_vi}: {_show(values[f.code])}" for f in rt.fields if f.code in values]
    return f"{command_head(rt, types)} " + ", ".join(parts)


def village_words(name: str) -> str:
    """A village as typed in a report: "Thôn Sơn Ninh" as it is, "Trung Lương" as "thôn …"."""
    folded = fold(name)
    if any(folded.startswith(f"{word} ") for word in VILLAGE_WORDS):
        return name
    return f"thôn {name}"


def sample_value(spec: FieldSpec, today: date) -> Value:
    """A value the field takes, for an example where the person's own is missing or wrong."""
    return _values([spec], (1,), today)[spec.code]


def _values(
    fields: list[FieldSpec] | tuple[FieldSpec, ...], pattern: tuple[int, ...], today: date
) -> dict[str, Value]:
    values: dict[str, Value] = {}
    numbers = iter(pattern)
    for spec in fields:
        if spec.kind == "number":
            values[spec.code] = min(max(next(numbers, 1), spec.min), spec.max)
        elif spec.kind == "yesno":
            values[spec.code] = True
        elif spec.kind == "choice":
            values[spec.code] = spec.options[0]
        elif spec.kind == "date":
            values[spec.code] = today
        else:
            values[spec.code] = EXAMPLE_TEXT[: spec.max_length]
    return values


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)
