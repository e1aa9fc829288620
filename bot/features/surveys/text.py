"""Surveys in words: the preview, the question as text where there are no polls, and the
results per commune."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.models import Area, Survey
from bot.features.broadcast.wording import names, reach_lines

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.features.broadcast.reach import ReachPreview

MAX_ROWS = 40


@dataclass(frozen=True, slots=True)
class SurveyPreview:
    targets: tuple[Area, ...]
    question: str
    options: tuple[str, ...]
    polls: int  # messages that go as native polls
    reach: ReachPreview


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
        polls = [t(lang, "survey.preview_polls", count=p.polls)] if p.polls else []
        lines += reach_lines(t, lang, p.reach, kind="survey", after_chats=polls)
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
