"""Surveys in words: `/khaosat [areas:] question | option | …`, the preview, the question as
text where there are no polls, and the results per commune."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.models import Area, Survey
from bot.services.directive_grammar import ALL_WORDS
from bot.services.directive_text import names
from bot.services.places import candidates
from bot.text import fold

if TYPE_CHECKING:
    from bot.areas import AreaTree
    from bot.i18n import Translator

MAX_QUESTION = 250  # with "KS<n>: " it fits Telegram's 300 characters of a poll question
MAX_OPTION = 100  # Telegram's limit for a poll option
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_ROWS = 40


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


@dataclass(frozen=True, slots=True)
class SurveyPreview:
    targets: tuple[Area, ...]
    question: str
    options: tuple[str, ...]
    groups: dict[str, int]
    private: dict[str, int]
    polls: int  # messages that go as native polls
    expected: int
    unreachable: list[str]
    costs: dict[str, tuple[int, int]]


@dataclass(slots=True)
class SurveyUnit:
    """One commune (or whatever lies one level below the target) in a survey's results."""

    area: Area
    answers: int = 0
    counts: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SurveyResults:
    survey: Survey
    author: str
    messages: int
    sent: int
    answers: int
    counts: list[int]
    expected: int
    expected_answered: int
    units: list[SurveyUnit]


def percent(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole) if whole else 0


class SurveyText:
    """Renders survey texts in a person's language, with dates in the deployment's zone."""

    def __init__(self, translate: Translator, tz: ZoneInfo) -> None:
        self.t = translate
        self.tz = tz

    def when(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%d/%m/%Y %H:%M")

    def poll_question(self, s: Survey) -> str:
        return f"KS{s.id}: {s.question}"

    def message(self, lang: str, s: Survey, author: str) -> str:
        """The survey as text, where a native poll cannot be sent (Zalo): numbered options and
        the typed answer."""
        lines = [self.t(lang, "survey.message", number=s.id, author=author), "", s.question]
        lines += [f"{i}. {o}" for i, o in enumerate(s.options, start=1)]
        lines += ["", self.t(lang, "survey.how_to_answer", number=s.id)]
        return "\n".join(lines)

    def preview(self, lang: str, p: SurveyPreview, *, minutes: int) -> str:
        t = self.t
        where = ", ".join(a.name for a in p.targets)
        lines = [t(lang, "survey.preview_header", targets=where), "", p.question]
        lines += [f"{i}. {o}" for i, o in enumerate(p.options, start=1)]
        lines.append("")
        for platform in sorted(set(p.groups) | set(p.private)):
            lines.append(
                t(lang, "survey.preview_reach", platform=platform.capitalize(),
                  groups=p.groups.get(platform, 0), people=p.private.get(platform, 0))
            )  # fmt: skip
        if p.polls:
            lines.append(t(lang, "survey.preview_polls", count=p.polls))
        lines.append(t(lang, "survey.preview_expected", count=p.expected))
        if p.unreachable:
            lines.append(
                t(lang, "survey.preview_unreachable", count=len(p.unreachable),
                  names=names(p.unreachable, t, lang))
            )  # fmt: skip
        for bot, (cost, left) in sorted(p.costs.items()):
            lines.append(t(lang, "directive.preview_cost", bot=bot, cost=cost, left=left))
        lines += ["", t(lang, "survey.preview_confirm", minutes=minutes)]
        return "\n".join(lines)

    def results(self, lang: str, r: SurveyResults) -> str:
        t = self.t
        s = r.survey
        lines = [
            t(lang, "survey.results_header", number=s.id, sent=self.when(s.created_at),
              author=r.author),
            s.question,
            t(lang, "survey.results_totals", sent=r.sent, total=r.messages, answers=r.answers,
              answered=r.expected_answered, expected=r.expected),
        ]  # fmt: skip
        for i, option in enumerate(s.options):
            count = r.counts[i]
            lines.append(f"{i + 1}. {option}: {count} ({percent(count, r.answers)}%)")
        for unit in r.units[:MAX_ROWS]:
            lines.append(self._unit(lang, s, unit))
        if len(r.units) > MAX_ROWS:
            lines.append(t(lang, "directive.and_more", count=len(r.units) - MAX_ROWS))
        return "\n".join(lines)

    def _unit(self, lang: str, s: Survey, unit: SurveyUnit) -> str:
        t = self.t
        split = " · ".join(f"{o} {n}" for o, n in zip(s.options, unit.counts, strict=True) if n)
        head = t(lang, "survey.unit", area=unit.area.name, answers=unit.answers)
        line = f"• {head}" + (f": {split}" if split else "")
        if unit.missing:
            line += "\n   " + t(lang, "survey.missing", names=names(unit.missing, t, lang))
        return line

    def row(self, lang: str, s: Survey, answers: int) -> str:
        question = s.question if len(s.question) <= 50 else s.question[:49].rstrip() + "…"
        return self.t(lang, "survey.list_row", number=s.id, date=self.when(s.created_at),
                      answers=answers, question=question)  # fmt: skip
