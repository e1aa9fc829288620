"""Who a question from the field reaches at each level of the area tree, and how many are
open in an area at a moment (for the digest)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import Person, Question, Role, RoleGrant
from bot.features.broadcast.reach import private_account

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.store.base import Store

# Who receives a question at a level: the officers whose grant is that very area, and admins
# whose grant is (config admins hold the root, so a question that climbs that far reaches them).
RECEIVERS = frozenset({Role.OFFICER, Role.ADMIN})

# An area code → the people who receive questions there, each with the account to write to.
Index = dict[str, list[tuple[Person, str]]]


def receivers_index(
    people: Iterable[Person],
    grants_of: Callable[[Person], tuple[RoleGrant, ...]],
    running: Collection[tuple[str, str]],
) -> Index:
    """Every active officer (and admin) by the area of each of those grants, with the account
    to write to privately; those the bot cannot write to are left out."""
    index: Index = {}
    for person in people:
        if not person.active:
            continue
        areas = {g.area for g in grants_of(person) if g.role in RECEIVERS}
        account = private_account(person, running) if areas else ""
        if not account:
            continue
        for code in areas:
            index.setdefault(code, []).append((person, account))
    return index


def next_level(
    areas: AreaTree, q: Question, index: Index, *, above: str
) -> tuple[str, list[tuple[Person, str]]] | None:
    """The first area above `above` (or from the asker's own area up) with someone to tell
    who has not been told yet; None at the top."""
    if q.area not in areas:
        return None
    chain = list(reversed(areas.get(q.area).path))
    start = chain.index(above) + 1 if above in chain else 0
    for code in chain[start:]:
        receivers = [
            (p, account) for p, account in index.get(code, [])
            if p.id != q.asker and p.id not in q.notified
        ]  # fmt: skip
        if receivers:
            return code, receivers
    return None


@dataclass(frozen=True, slots=True)
class OpenQuestions:
    """Questions from inside an area still unanswered at a moment, and the oldest of them."""

    count: int = 0
    oldest: int = 0  # its number
    oldest_at: datetime | None = None
    oldest_area: str = ""  # the asker's area, by name


def open_questions(store: Store, areas: AreaTree, area: str, at: datetime) -> OpenQuestions:
    """What the digest of `area` says about questions, as things stood at `at`."""
    found = [
        q for q in store.questions.all()
        if q.asked_at <= at and (q.answered_at is None or q.answered_at > at)
        and q.area in areas and areas.contains(area, q.area)
    ]  # fmt: skip
    if not found:
        return OpenQuestions()
    first = min(found, key=lambda q: q.asked_at)
    return OpenQuestions(len(found), first.id, first.asked_at, areas.get(first.area).name)
