"""Two PostgresStore objects on one database, as two instances of the bot would hold: what one
decides the other sees, and the database (its keys and locks, not code that reads then
writes) keeps them from both taking the same update, outbox item, id, number or firing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest

from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import Account, OutboxItem, OutboxStatus, Report
from bot.store import DuplicateKeyError, Store, open_store
from tests.store.harness import empty_database

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)
N = 60  # of each thing both instances race for
T = TypeVar("T")


@pytest.fixture
def two(pg_store_url: str) -> Iterator[tuple[Store, Store]]:
    empty_database(pg_store_url)
    a = open_store(backend="postgres", url=pg_store_url)
    b = open_store(backend="postgres", url=pg_store_url)
    yield a, b
    a.close()
    b.close()


def race(stores: tuple[Store, Store], work: Callable[[Store], T]) -> tuple[T, T]:
    """Run `work` on both stores at once, each in its own thread, from a common start."""
    start = threading.Barrier(2)

    def run(store: Store) -> T:
        start.wait()
        return work(store)

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(run, stores)
    return first, second


def report(rid: str, **changes: Any) -> Report:
    base = Report(
        id=rid, type="sinh", area="thon-1", period="2026-11", values={"sinh": 1}, reporter=1,
        platform="telegram", received_at=T0,
    )  # fmt: skip
    return replace(base, **changes)


def event(n: int) -> Incoming:
    return Incoming(
        update_id=str(n), kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", "-100", ChatKind.GROUP), sender=UserRef("telegram", "", "7"),
        sender_name="Lan", text="/bc sinh 1", date=T0,
    )  # fmt: skip


def item(chat_key: str) -> OutboxItem:
    return OutboxItem(
        id=0, job_id=1, chat_key=chat_key, chat_kind="private", text="Họp",
        status=OutboxStatus.PENDING, created_at=T0, next_attempt_at=T0,
    )  # fmt: skip


def test_an_update_sent_to_both_is_taken_in_once(two: tuple[Store, Store]) -> None:
    keys = [f"telegram::message:{n}" for n in range(N)]

    def take(s: Store) -> list[bool]:
        return [s.inbound.receive(k, event(n), at=T0) for n, k in enumerate(keys)]

    got_a, got_b = race(two, take)
    assert [a + b for a, b in zip(got_a, got_b, strict=True)] == [1] * N
    a, b = two
    assert len(b.inbound.waiting()) == N
    a.inbound.mark(keys[0], at=T0)
    assert b.inbound.seen(keys[0]) and b.inbound.receive(keys[0], event(0), at=T0) is False


def test_an_outbox_item_is_claimed_by_one_instance(two: tuple[Store, Store]) -> None:
    a, b = two
    items = a.outbox.add([item(f"zalo:bot1:u{n}") for n in range(N)])

    def claim_all(s: Store) -> list[int]:
        who = "a" if s is a else "b"
        return [i.id for i in items if s.outbox.claim(i.id, by=who) is not None]

    won_a, won_b = race(two, claim_all)
    assert sorted(won_a + won_b) == [i.id for i in items], "each item claimed exactly once"
    inflight = b.outbox.inflight()
    assert len(inflight) == N and all(i.attempts == 1 for i in inflight)
    assert {i.id for i in inflight if i.claimed_by == "a"} == set(won_a)


def test_a_chats_second_item_waits_for_its_first(two: tuple[Store, Store]) -> None:
    a, b = two
    first, second = a.outbox.add([item("telegram::-100"), item("telegram::-100")])
    assert a.outbox.claim(first.id, by="a") is not None
    assert b.outbox.claim(second.id, by="b") is None, "its chat has one in flight elsewhere"
    b.outbox.save(replace(b.outbox.get(first.id), status=OutboxStatus.SENT))  # type: ignore[arg-type]
    assert a.outbox.claim(second.id, by="a") is not None


def test_one_chats_items_claimed_at_once_go_one_at_a_time(two: tuple[Store, Store]) -> None:
    """Both instances claim different items of the same chats at once: each chat ends with
    exactly one item in flight (the advisory lock serialises the check)."""
    a, _ = two
    chats = [f"zalo:bot1:g{n}" for n in range(N // 2)]
    firsts = a.outbox.add([item(c) for c in chats])
    seconds = a.outbox.add([item(c) for c in chats])

    def claim(s: Store) -> int:
        mine = firsts if s is a else seconds
        return sum(s.outbox.claim(i.id, by="x") is not None for i in mine)

    taken = race(two, claim)
    assert sum(taken) == len(chats)
    per_chat = [i.chat_key for i in a.outbox.inflight()]
    assert sorted(per_chat) == sorted(chats)


def test_ids_from_both_instances_are_distinct(two: tuple[Store, Store]) -> None:
    def add(s: Store) -> list[int]:
        return [s.people.add(name=f"P{n}", created_at=T0).id for n in range(N)]

    got_a, got_b = race(two, add)
    assert sorted(got_a + got_b) == list(range(1, 2 * N + 1))
    assert two[0].people.add(name="next", created_at=T0).id == 2 * N + 1


def test_report_numbers_from_both_instances_are_distinct(two: tuple[Store, Store]) -> None:
    def add(s: Store) -> list[int]:
        tag = "a" if s is two[0] else "b"
        return [s.reports.add(report(f"{tag}{n}")).number for n in range(N)]

    got_a, got_b = race(two, add)
    assert sorted(got_a + got_b) == list(range(1, 2 * N + 1))
    assert two[1].reports.count() == 2 * N
    assert two[1].reports.by_number(got_a[0]).id == "a0"  # type: ignore[union-attr]


def test_a_firing_is_recorded_by_one_instance(two: tuple[Store, Store]) -> None:
    moments = [T0 + timedelta(minutes=n) for n in range(N)]

    def fire(s: Store) -> list[bool]:
        return [s.reminders.claim_firing(7, due, by="x") for due in moments]

    got_a, got_b = race(two, fire)
    assert [x + y for x, y in zip(got_a, got_b, strict=True)] == [1] * N


def _blocked_behind(
    a: Store, b: Store, first: Callable[[Store], object], second: Callable[[Store], object]
) -> BaseException | None:
    """`first` on a inside an open transaction, `second` on b meanwhile (b waits on a's
    uncommitted row, as a second instance would), then a commits: what b raised."""
    outcome: list[BaseException | None] = []

    def other() -> None:
        try:
            second(b)
            outcome.append(None)
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    with a.atomic():
        first(a)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive(), "b waits for a's transaction: the database holds the key"
    thread.join(10)
    return outcome[0]


def test_a_report_version_stored_twice_is_refused_by_the_key(two: tuple[Store, Store]) -> None:
    """b's check finds nothing (a has not committed its correction); the primary key refuses
    b's insert once a commits, and a's version stays."""
    a, b = two
    a.reports.add(report("r1"))
    raised = _blocked_behind(
        a, b,
        lambda s: s.reports.add(report("r1", version=2, values={"sinh": 2})),
        lambda s: s.reports.add(report("r1", version=2, values={"sinh": 3})),
    )  # fmt: skip
    assert isinstance(raised, DuplicateKeyError)
    assert [r.version for r in b.reports.versions("r1")] == [1, 2]
    assert b.reports.get("r1").values == {"sinh": 2}  # type: ignore[union-attr]
    assert b.reports.add(report("r2")).number == 2


def test_an_account_owned_twice_is_refused_by_the_key(two: tuple[Store, Store]) -> None:
    """Both save a person with the same new account: b's check passes (a has not committed),
    the unique key of accounts refuses b once a commits."""
    a, b = two
    first = a.people.add(name="A", created_at=T0)
    second = a.people.add(name="B", created_at=T0)
    account = (Account("telegram:42"),)
    raised = _blocked_behind(
        a, b,
        lambda s: s.people.save(replace(first, accounts=account)),
        lambda s: s.people.save(replace(second, accounts=account)),
    )  # fmt: skip
    assert isinstance(raised, DuplicateKeyError)
    owner = b.people.by_account("telegram:42")
    assert owner is not None and owner.name == "A"
    assert b.people.get(second.id) == second
