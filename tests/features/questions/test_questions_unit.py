"""The handbook's note grammar and topic matching, and the digest's count of open questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.actor import Actor
from bot.core.areas import AreaTree
from bot.core.errors import UserError
from bot.core.messages import ChatKind, ChatRef, UserRef
from bot.core.models import HandbookNote, Question, Role, RoleGrant
from bot.features.handbook.service import Handbook, parse_note
from bot.features.questions.reach import open_questions
from bot.store.memory import MemoryStore
from tests.support.harness import AREAS

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TREE = AreaTree.from_config(AREAS)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Sốt xuất huyết: Ngủ màn", ("Sốt xuất huyết", "Ngủ màn")),
        ("  Sốt   rét \n Ngủ màn: luôn ", ("Sốt rét", "Ngủ màn: luôn")),
        ("Tiêm chủng:Ngày 15", ("Tiêm chủng", "Ngày 15")),
    ],
)
def test_parse_note(words: str, expected: tuple[str, str]) -> None:
    """The topic ends at the first `:` or new line; spaces inside it are squeezed."""
    assert parse_note(words, usage="handbook.usage_add") == expected


@pytest.mark.parametrize("words", ["Sốt", "Sốt:", ": Ngủ màn", "x" * 61 + ": y"])
def test_parse_note_refuses(words: str) -> None:
    """No text, no topic, or a topic too long: refused with a key the person reads."""
    with pytest.raises(UserError):
        parse_note(words, usage="handbook.usage_add")


def _handbook(store: MemoryStore) -> Handbook:
    return Handbook(
        store=store, areas=TREE, clock=None, files=None, links=None, delivery=None,  # type: ignore[arg-type]
        questions=None, translate=None, audit=None,  # type: ignore[arg-type]
    )  # fmt: skip


def _reader(area: str, role: Role = Role.COLLABORATOR) -> Actor:
    return Actor(UserRef("telegram", "", "1"), "A", None, (RoleGrant(role, area),))


def test_find_by_topic_nearest_area_first() -> None:
    """Exact folded topics win; partial words pick one topic or list several; notes of another
    commune are not seen from a village, and the nearer note comes first."""
    store = MemoryStore()
    for area, topic in (("R1", "Sốt xuất huyết"), ("18133", "Sốt xuất huyết"),
                        ("18133", "Sốt rét"), ("18115", "Tiêm chủng")):  # fmt: skip
        store.handbook.add(HandbookNote(id=0, area=area, topic=topic, text=".", created_at=T0))
    hb = _handbook(store)
    chat = ChatRef("telegram", "", "1", ChatKind.PRIVATE)
    village = _reader("18133-01")
    assert [n.area for n in hb.find(village, chat, "sot xuat huyet").notes] == ["18133", "R1"]
    assert hb.find(village, chat, "sot").topics == ("Sốt rét", "Sốt xuất huyết")
    assert [n.topic for n in hb.find(village, chat, "s ret").notes] == ["Sốt rét"]
    assert hb.find(village, chat, "tiem chung") == hb.find(village, chat, "nothing")
    region = _reader("R1", Role.SUPERVISOR)
    assert len(hb.visible(region, chat)) == 4, "a wider area sees the notes below it too"


def test_open_questions_as_of_a_moment() -> None:
    """Counted if asked by then and not answered by then, inside the area; the oldest named."""
    store = MemoryStore()
    q = Question(id=0, asker=1, area="18133-01", text="?", asked_at=T0, chat_key="t::1")
    store.questions.add(q)
    store.questions.add(replace(q, asked_at=T0 + timedelta(hours=1), area="18115-01"))
    answered = store.questions.add(
        replace(q, asked_at=T0 - timedelta(days=1), answered_at=T0 + timedelta(hours=2))
    )
    at = T0 + timedelta(hours=1, minutes=30)
    found = open_questions(store, TREE, "R1", at)
    assert (found.count, found.oldest, found.oldest_area) == (3, answered.id, "Thôn Sơn Ninh")
    assert open_questions(store, TREE, "18115", at).count == 1
    assert open_questions(store, TREE, "R1", T0 + timedelta(hours=3)).count == 2
    assert open_questions(store, TREE, "R1", T0 - timedelta(days=2)).count == 0
