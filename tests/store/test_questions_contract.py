"""Questions and handbook notes through the repository interface, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.models import HandbookNote, OutboxFile, Question
from tests.store.harness import KINDS, Harness

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)


@pytest.mark.parametrize("harness", KINDS, indirect=True)
class TestQuestionsContract:
    def test_questions_are_numbered_and_come_back_whole(self, harness: Harness) -> None:
        """Ids 1, 2…; open() drops answered ones; tuples and times survive a reopen."""
        s = harness.store
        draft = Question(id=99, asker=3, area="x-1", text="Hỏi?", asked_at=T0, chat_key="t::3")
        first = s.questions.add(draft)
        second = s.questions.add(replace(draft, text="Hỏi nữa?"))
        assert (first.id, second.id) == (1, 2)
        moved = replace(first, level="x", level_since=T0, notified=(4, 5), escalations=1)
        s.questions.save(moved)
        s.questions.save(replace(second, answer="Đáp", answered_by=4, answered_at=T0))
        s = harness.reopen()
        assert s.questions.get(1) == moved
        assert [q.id for q in s.questions.open()] == [1]
        assert s.questions.add(draft).id == 3
        assert s.questions.get(99) is None

    def test_handbook_notes(self, harness: Harness) -> None:
        """Notes keep their file and retired notes stay stored."""
        s = harness.store
        file = OutboxFile("abc" * 6, "Hướng dẫn.pdf", "document", "application/pdf")
        note = s.handbook.add(
            HandbookNote(id=0, area="x", topic="Sốt", text="Ngủ màn", created_at=T0, file=file)
        )
        s.handbook.save(replace(note, active=False, updated_at=T0))
        s = harness.reopen()
        stored = s.handbook.get(note.id)
        assert stored is not None and stored.file == file and not stored.active
        assert [n.id for n in s.handbook.all()] == [1]
