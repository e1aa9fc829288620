"""The words of questions from the field: the officers' copy, its button, the answer's copies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.messages import Button
from bot.core.models import Question
from bot.features.broadcast.wording import excerpt

if TYPE_CHECKING:
    from bot.core.i18n import Translator

EXCERPT = 60  # characters of a question quoted in lists and in the officer's confirmation


class QuestionText:
    """Renders questions and answers in a person's language from the catalogs."""

    def __init__(self, translate: Translator, tz: ZoneInfo) -> None:
        self.translate = translate
        self.tz = tz

    def t(self, lang: str, key: str, /, **params: Any) -> str:
        return self.translate(lang, key, **params)

    def when(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H:%M %d/%m}"

    def for_officer(
        self,
        lang: str,
        q: Question,
        *,
        asker: str,
        area: str,
        escalated_from: str = "",
        hours: float,
    ) -> str:
        """The copy an officer gets: who asks, from where, the question; after an escalation,
        a first line saying where it waited and for how long."""
        lines = []
        if escalated_from:
            lines.append(
                self.t(lang, "question.escalated", hours=f"{hours:g}", level=escalated_from)
            )
        lines.append(self.t(lang, "question.message", number=q.id, asker=asker, area=area))
        lines.append(q.text)
        return "\n".join(lines)

    def answer_button(self, lang: str, number: int) -> Button:
        """Telegram: a button that asks for the answer; elsewhere its typed twin."""
        return Button(
            self.t(lang, "question.answer_button"),
            f"qans:{number}",
            typed=self.t(lang, "question.answer_typed", number=number),
        )

    def answer(self, lang: str, q: Question, *, asker: str, officer: str) -> str:
        """The answer as the asker (and the group it was asked in) reads it."""
        return self.t(
            lang, "question.answer_message", number=q.id, asker=asker,
            question=excerpt(q.text, 200), answer=q.answer, officer=officer,
        )  # fmt: skip

    def row(self, lang: str, q: Question, *, asker: str, area: str) -> str:
        """One line of a list of open questions."""
        return self.t(
            lang, "question.open_row", number=q.id, asker=asker, area=area,
            when=self.when(q.asked_at), excerpt=excerpt(q.text, EXCERPT),
        )  # fmt: skip
