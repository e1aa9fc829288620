"""The grammar of surveys: `/khaosat [areas:] question | option | …`, and a typed answer
(`ks3 2`, or the option's words)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.models import Area, Survey
from bot.core.places import candidates
from bot.core.text import fold
from bot.features.broadcast.targets import ALL_WORDS

if TYPE_CHECKING:
    from bot.core.areas import AreaTree

MAX_QUESTION = 250  # with "KS<n>: " it fits Telegram's 300 characters of a poll question
MAX_OPTION = 100  # Telegram's limit for a poll option
MIN_OPTIONS, MAX_OPTIONS = 2, 10


@dataclass(frozen=True, slots=True)
class ParsedSurvey:
    targets: tuple[str, ...]  # area codes; empty: all of the sender's area
    question: str
    options: tuple[str, ...]


def parse_survey(args: str, areas: AreaTree) -> ParsedSurvey:
    """Options after `|` (or, without any `|`, one per line); an optional `areas:` before the
    question names where it goes, when every name before the colon is an area (or `all`)."""
    parts = args.split("|") if "|" in args else args.split("\n")
    parts = [" ".join(p.split()) for p in parts]
    question, options = parts[0], tuple(p for p in parts[1:] if p)
    targets: tuple[str, ...] = ()
    head, colon, rest = question.partition(":")
    if colon and rest.strip():
        words = [w.strip() for w in head.split(",") if w.strip()]
        if words and any(fold(w) in ALL_WORDS for w in words):
            question = rest.strip()
        elif words and all(_exact(areas, w) for w in words):
            targets = tuple(dict.fromkeys(a.code for w in words if (a := _exact(areas, w))))
            question = rest.strip()
    if not question or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise UserError("survey.usage", limit=MAX_OPTIONS)
    if len(question) > MAX_QUESTION:
        raise UserError("survey.question_long", length=len(question), limit=MAX_QUESTION)
    long = next((o for o in options if len(o) > MAX_OPTION), None)
    if long is not None:
        raise UserError("survey.option_long", option=long[:30], limit=MAX_OPTION)
    if len({fold(o) for o in options}) < len(options):
        raise UserError("survey.option_twice")
    return ParsedSurvey(targets, question, options)


def _exact(areas: AreaTree, word: str) -> Area | None:
    """The area `word` names exactly (its code, or its name with or without "Xã", "Thôn"…)."""
    folded = fold(word)
    found = [
        a for a in candidates(areas, word)
        if a.code == word or fold(a.name) in {folded, *(p + folded for p in _KINDS)}
    ]  # fmt: skip
    return found[0] if len(found) == 1 else None


_KINDS = ("xa ", "phuong ", "thi tran ", "thon ", "xom ", "ban ", "to dan pho ", "khu pho ")


_TYPED = re.compile(r"^\s*(\d{1,2})\s*$")


def choice_of(survey: Survey, typed: str) -> int | None:
    """The option a typed answer means: its number, or its words (any case or diacritics)."""
    number = _TYPED.match(typed)
    if number:
        index = int(number.group(1)) - 1
        return index if 0 <= index < len(survey.options) else None
    folded = fold(typed).strip(" .!")
    found = [i for i, o in enumerate(survey.options) if fold(o) == folded]
    return found[0] if found else None
