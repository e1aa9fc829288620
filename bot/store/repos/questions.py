"""Questions from the field and handbook notes, over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from bot.core.models import HandbookNote, Question
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class QuestionsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["questions"])

    def add(self, question: Question) -> Question:
        with self._core.atomic():
            question = replace(question, id=next_id(self._core, "questions"))
            self.save(question)
        return question

    def get(self, question_id: int) -> Question | None:
        return cast(Question | None, self._table.get(question_id))

    def save(self, question: Question) -> None:
        self._core.put("questions", question.id, question)

    def all(self) -> list[Question]:
        return sorted(self._table.values(), key=lambda q: q.id)

    def open(self) -> list[Question]:
        return [q for q in self.all() if q.answered_at is None]


class HandbookRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["handbook"])

    def add(self, note: HandbookNote) -> HandbookNote:
        with self._core.atomic():
            note = replace(note, id=next_id(self._core, "handbook"))
            self.save(note)
        return note

    def get(self, note_id: int) -> HandbookNote | None:
        return cast(HandbookNote | None, self._table.get(note_id))

    def save(self, note: HandbookNote) -> None:
        self._core.put("handbook", note.id, note)

    def all(self) -> list[HandbookNote]:
        return sorted(self._table.values(), key=lambda n: n.id)
