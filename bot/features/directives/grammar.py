"""Read `/chithi <target>: <text> [han dd/mm[/yyyy]]` (COMMANDS.md) into its parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.errors import UserError
from bot.core.text import fold
from bot.features.broadcast.targets import ALL_WORDS

MAX_TEXT = 3500  # leaves room for the header and the typed twin within Telegram's 4096

# A trailing deadline: "han 30/11", "Hạn: 30/11/2026", "hạn chót 3-12." (any case or accents).
_DEADLINE = re.compile(
    r"(?:^|[\s.;,(])h[aạ]n(?:\s+ch[oó]t)?\s*:?\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})"
    r"(?:\s*[/.-]\s*(\d{2}|\d{4}))?\s*[.)]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedDirective:
    """What the officer typed: target words (or everything of theirs), the text, a deadline."""

    targets: tuple[str, ...]  # empty: "all", the officer's whole area
    text: str
    deadline: date | None


def parse_directive(args: str, *, today: date) -> ParsedDirective:
    """Split the target (up to the first ':' or new line) from the text and its deadline."""
    args = args.strip()
    cut = min((i for i in (args.find(":"), args.find("\n")) if i >= 0), default=-1)
    if cut <= 0:
        raise UserError("directive.usage")
    head, text = args[:cut].strip(), args[cut + 1 :].strip()
    words = [w.strip() for w in head.split(",") if w.strip()]
    if not words:
        raise UserError("directive.usage")
    targets = () if any(fold(w) in ALL_WORDS for w in words) else tuple(words)
    deadline = None
    found = _DEADLINE.search(text)
    if found:
        deadline = _deadline(found, today)
        text = text[: found.start() + (found.group(0)[:1] == ".")].rstrip(" \t\n,;(")
    if not text:
        raise UserError("directive.no_text")
    if len(text) > MAX_TEXT:
        raise UserError("directive.too_long", limit=MAX_TEXT, length=len(text))
    return ParsedDirective(targets=targets, text=text, deadline=deadline)


def _deadline(found: re.Match[str], today: date) -> date:
    day, month, year_text = int(found.group(1)), int(found.group(2)), found.group(3)
    year = today.year if year_text is None else int(year_text)
    if year < 100:
        year += 2000
    try:
        when = date(year, month, day)
    except ValueError:
        raise UserError("directive.bad_deadline", text=found.group(0).strip()) from None
    if when < today and year_text is None:
        when = when.replace(year=today.year + 1)  # "han 05/01" typed in December
    if when < today:
        raise UserError("directive.past_deadline", date=when.strftime("%d/%m/%Y"))
    return when
