"""Repository Protocols of questions from the field and handbook notes."""

from __future__ import annotations

from typing import Protocol

from bot.core.models import HandbookNote, Question


class QuestionsRepo(Protocol):
    """Questions from the field, numbered 1, 2, 3… in the order they were asked."""

    def add(self, question: Question) -> Question:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, question_id: int) -> Question | None:
        """The question with this id, or None."""

    def save(self, question: Question) -> None:
        """Replace the question with the same id."""

    def all(self) -> list[Question]:
        """Every question, by id."""

    def open(self) -> list[Question]:
        """The questions not answered yet, by id."""


class HandbookRepo(Protocol):
    """Handbook notes of areas (retired ones stay, inactive)."""

    def add(self, note: HandbookNote) -> HandbookNote:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, note_id: int) -> HandbookNote | None:
        """The note with this id, or None."""

    def save(self, note: HandbookNote) -> None:
        """Replace the note with the same id."""

    def all(self) -> list[HandbookNote]:
        """Every note (active or not), by id."""
