"""What several instances rely on, on every backend: an update taken in once and the events of
a chat waiting ahead of it, an outbox item claimed once and one in flight per chat, a reminder's
firing recorded once (undone with its block)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import OutboxItem, OutboxStatus
from tests.store.harness import KINDS, Harness

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)


def event(n: int, chat: str = "-100", sender: str = "7") -> Incoming:
    return Incoming(
        update_id=str(n), kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", chat, ChatKind.GROUP), sender=UserRef("telegram", "", sender),
        sender_name="Chị Lan", text=f"/bc sinh {n}", date=T0,
    )  # fmt: skip


def key(n: int) -> str:
    return f"telegram::message:{n}"


def item(chat_key: str = "zalo:bot1:u1", **changes: object) -> OutboxItem:
    base = OutboxItem(
        id=0, job_id=1, chat_key=chat_key, chat_kind="private", text="Họp giao ban",
        status=OutboxStatus.PENDING, created_at=T0, next_attempt_at=T0,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("harness", KINDS, indirect=True)
class TestClaimsContract:
    def test_an_update_is_received_once(self, harness: Harness) -> None:
        """receive() is True for a new key only: not again while it waits, not once handled,
        and again only after purge forgot it."""
        s = harness.store
        assert s.inbound.receive(key(1), event(1), at=T0) is True
        assert s.inbound.receive(key(1), replace(event(1), text="other"), at=T0) is False
        s = harness.reopen()
        assert s.inbound.waiting() == [event(1)], "the first copy is the one kept"
        assert s.inbound.receive(key(1), event(1), at=T0) is False
        s.inbound.mark(key(1), at=T0 + timedelta(minutes=1))
        s = harness.reopen()
        assert s.inbound.waiting() == [] and s.inbound.seen(key(1))
        assert s.inbound.receive(key(1), event(1), at=T0 + timedelta(hours=1)) is False
        assert s.inbound.waiting() == [], "a handled update is not taken in again"
        assert s.inbound.purge(before=T0 + timedelta(days=1)) == 1
        assert s.inbound.receive(key(1), event(1), at=T0 + timedelta(days=2)) is True

    def test_a_refused_receive_writes_nothing(self, harness: Harness) -> None:
        """A block that receives then raises leaves the key free."""
        s = harness.store
        with pytest.raises(RuntimeError), s.atomic():
            assert s.inbound.receive(key(5), event(5), at=T0)
            raise RuntimeError
        s = harness.reopen()
        assert s.inbound.waiting() == []
        assert s.inbound.receive(key(5), event(5), at=T0) is True

    def test_ahead_lists_the_chats_earlier_waiting_events(self, harness: Harness) -> None:
        """ahead() gives the same chat's events received before the key and not handled,
        oldest first; nothing for the first, a handled key or an unknown one."""
        s = harness.store
        chats = {1: "-100", 2: "-200", 3: "-100", 4: "-100", 5: "-100"}
        for n, chat in chats.items():
            assert s.inbound.receive(key(n), event(n, chat), at=T0 + timedelta(seconds=n))
        s.inbound.mark(key(3), at=T0 + timedelta(minutes=1))
        s = harness.reopen()
        assert s.inbound.ahead("telegram::-100", key(5)) == [event(1), event(4, "-100")]
        assert s.inbound.ahead("telegram::-100", key(1)) == []
        assert s.inbound.ahead("telegram::-200", key(2)) == []
        assert s.inbound.ahead("telegram::-100", key(3)) == [], "handled: nothing waits for it"
        assert s.inbound.ahead("telegram::-100", key(99)) == []
        assert s.inbound.waiting() == [event(n, chats[n]) for n in (1, 2, 4, 5)]

    def test_claim_takes_a_pending_item_once(self, harness: Harness) -> None:
        """claim() marks a pending item in flight with one more attempt and who took it; a
        second claim, or one of an item not pending, gets None and changes nothing."""
        s = harness.store
        first, other = s.outbox.add([item(), item("zalo:bot1:u2", attempts=2)])
        taken = s.outbox.claim(first.id, by="host-a")
        assert taken == replace(
            first, status=OutboxStatus.INFLIGHT, attempts=1, claimed_by="host-a"
        )
        s = harness.reopen()
        assert s.outbox.get(first.id) == taken
        assert s.outbox.claim(first.id, by="host-b") is None
        assert s.outbox.get(first.id) == taken
        assert s.outbox.inflight() == [taken]
        assert s.outbox.claim(99, by="host-a") is None
        second = s.outbox.claim(other.id, by="host-b")
        assert second is not None and (second.attempts, second.claimed_by) == (3, "host-b")
        s.outbox.save(replace(second, status=OutboxStatus.SENT))
        assert s.outbox.claim(other.id, by="host-a") is None, "sent: not pending any more"

    def test_one_item_in_flight_per_chat(self, harness: Harness) -> None:
        """While a chat has an item in flight its next one is refused; other chats go on;
        once the first is done, the next is taken."""
        s = harness.store
        a1, a2, b1 = s.outbox.add([item(), item(), item("zalo:bot1:u2")])
        assert s.outbox.claim(a1.id, by="x") is not None
        s = harness.reopen()
        assert s.outbox.claim(a2.id, by="y") is None
        assert s.outbox.get(a2.id) == a2, "refused: not touched"
        assert s.outbox.claim(b1.id, by="y") is not None
        done = s.outbox.get(a1.id)
        assert done is not None
        s.outbox.save(replace(done, status=OutboxStatus.SENT, sent_at=T0))
        s = harness.reopen()
        taken = s.outbox.claim(a2.id, by="y")
        assert taken is not None and taken.claimed_by == "y"

    def test_a_claim_rolled_back_is_undone(self, harness: Harness) -> None:
        s = harness.store
        (one,) = s.outbox.add([item()])
        with pytest.raises(RuntimeError), s.atomic():
            assert s.outbox.claim(one.id, by="x") is not None
            raise RuntimeError
        s = harness.reopen()
        assert s.outbox.get(one.id) == one
        assert s.outbox.inflight() == []

    def test_a_firing_is_claimed_once(self, harness: Harness) -> None:
        """claim_firing() is True once per (reminder, due moment), the same instant in any
        zone; another moment or reminder is another firing; a rollback undoes it."""
        s = harness.store
        with s.atomic():
            assert s.reminders.claim_firing(1, T0, by="host-a") is True
        s = harness.reopen()
        assert s.reminders.claim_firing(1, T0, by="host-b") is False
        assert s.reminders.claim_firing(1, T0.astimezone(UTC)) is False
        assert s.reminders.claim_firing(1, T0 + timedelta(days=1)) is True
        assert s.reminders.claim_firing(2, T0) is True
        with pytest.raises(RuntimeError), s.atomic():
            assert s.reminders.claim_firing(3, T0) is True
            raise RuntimeError
        s = harness.reopen()
        assert s.reminders.claim_firing(3, T0) is True, "the rolled-back firing left no trace"
        with pytest.raises(ValueError, match="naive"):
            s.reminders.claim_firing(4, datetime(2026, 11, 24, 8, 30))
