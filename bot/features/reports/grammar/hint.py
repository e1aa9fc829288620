"""A report sent without its command (`bc sinh 2`, `/bao cao sinh 2`): clearly a report, so
the sender gets the exact message to send; ordinary talk never does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.errors import UserError
from bot.features.reports.grammar.parse import parse_report
from bot.features.reports.grammar.tokens import Segment, number_value, segments
from bot.features.reports.grammar.values import render
from bot.features.reports.types import PhraseIndex, ReportTypes

# What starts a report when the slash is forgotten: the command's words, written or spoken.
REPORT_WORDS = PhraseIndex(
    (w, w)
    for w in (
        "bc", "baocao", "bao cao", "report",
        "em bao cao", "em xin bao cao", "xin bao cao", "em gui bao cao",
    )
)  # fmt: skip
_LEADING = frozenset({"da", "vang", "a"})  # "Dạ, bc sinh 2"
_MENTION_WORDS = 8  # a leading "@Bot Dân số xã X" is at most this many words


@dataclass(frozen=True, slots=True)
class Hint:
    """The message to send instead; or, where the report itself has a problem, that."""

    message: str = ""
    problem: UserError | None = None


def report_hint(text: str, *, types: ReportTypes, today: date) -> Hint | None:
    """A hint when `text` is clearly a report without its command: a report word (`bc`,
    `báo cáo`, also after a slash) followed by a type's field and a number, or by a whole
    report; None for anything else."""
    body = text.strip().removeprefix("/")
    pieces = segments(body)
    if not pieces:
        return None
    first = pieces[0]
    # On Zalo a group text may keep the "@Bot …" mention, of a name the bot may not know yet.
    starts = range(min(len(first.tokens), _MENTION_WORDS)) if body.startswith("@") else (0,)
    for start in starts:
        at = _after_report_word(first, start)
        hint = None if at is None else _hint(body, first, at, types=types, today=today)
        if hint is not None:
            return hint
    return None


def _hint(body: str, first: Segment, at: int, *, types: ReportTypes, today: date) -> Hint | None:
    """The hint for the report that starts at token `at` of the first segment, if it is one."""
    offset = first.tokens[at].start if at < len(first.tokens) else len(first.text)
    rest = body[first.start + offset :]
    try:
        parsed = parse_report(rest, types=types, today=today)
    except UserError as exc:
        return Hint(problem=exc) if _field_and_number(first, at, types) else None
    if not parsed.values and not parsed.previous:
        return None
    rt = types.get(parsed.type)
    assert rt is not None
    message = render(
        rt, parsed.values, types=types, period=parsed.period, village=parsed.village,
        event_date=parsed.event_date, previous=parsed.previous,
    )  # fmt: skip
    return Hint(message=message)


def _after_report_word(seg: Segment, index: int) -> int | None:
    """Where the report starts after "Dạ, bc:" at `index`; None without a report word."""
    while index < len(seg.tokens) and seg.tokens[index].folded in _LEADING:
        index += 1
    found = REPORT_WORDS.match(seg.words(index))
    if found is None:
        return None
    at = index + found[1]
    if at < len(seg.tokens) and seg.tokens[at].is_mark:
        at += 1
    return at


def _field_and_number(seg: Segment, at: int, types: ReportTypes) -> bool:
    """A field of some type (after its type's name, perhaps) and a number at `at`."""
    named = types.type_index.match(seg.words(at))
    if named is not None:
        at += named[1]
    for rt in types:
        found = types.fields_of(rt.code).match(seg.words(at))
        if found is None:
            continue
        value = at + found[1]
        if value < len(seg.tokens) and seg.tokens[value].is_mark:
            value += 1
        if value < len(seg.tokens) and number_value(seg.tokens[value].folded) is not None:
            return True
    return False
