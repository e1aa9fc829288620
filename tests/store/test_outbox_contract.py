"""The outbox and quota contract: every backend behaves the same, also after reopening."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tinydb import TinyDB

from bot.core.models import JobStatus, OutboxButton, OutboxFile, OutboxItem, OutboxStatus
from bot.store import open_store
from bot.store.base import Store
from tests.store.harness import KINDS, Harness

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)
S = OutboxStatus


def item(job_id: int = 1, *, at: datetime = T0, **changes: object) -> OutboxItem:
    base = OutboxItem(
        id=0,
        job_id=job_id,
        chat_key="zalo:bot1:u1",
        chat_kind="private",
        text="Họp giao ban lúc 8 giờ",
        status=S.PENDING,
        created_at=at,
        next_attempt_at=at,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def ids(items: list[OutboxItem]) -> list[int]:
    return [i.id for i in items]


def set_status(s: Store, item_id: int, status: OutboxStatus, **changes: object) -> None:
    current = s.outbox.get(item_id)
    assert current is not None
    s.outbox.save(replace(current, status=status, **changes))  # type: ignore[arg-type]


def assert_no_trace(s: Store) -> None:
    """Nothing of the outbox or the quota is stored, in the records or in any index."""
    out = s.outbox
    assert (out.jobs(), out.get(1), out.for_job(1), out.inflight()) == ([], None, [], [])
    assert (out.due(now=T0, limit=10), out.backlog(), out.next_due_at()) == ([], (0, None), None)
    assert s.quota.used("bot1", "2026-11") == 0


@pytest.mark.parametrize("harness", KINDS, indirect=True)
class TestOutboxContract:
    def test_jobs_get_ids_and_filter_by_status(self, harness: Harness) -> None:
        """Jobs are numbered 1, 2, 3, saved whole, listed oldest first, optionally by status."""
        s = harness.store
        a = s.outbox.add_job(
            kind="directive", created_at=T0, total=2, requested_by=4, report_chat="telegram:b:4"
        )
        b = s.outbox.add_job(kind="reminder", created_at=T0, total=0)
        c = s.outbox.add_job(kind="digest", created_at=T0, total=1)
        assert [a.id, b.id, c.id] == [1, 2, 3]
        assert (a.status, b.requested_by, b.report_chat) == (JobStatus.RUNNING, None, "")
        done = replace(b, status=JobStatus.DONE, finished_at=T0, summary={"sent": 0, "x": [1]})
        s.outbox.save_job(done)
        s = harness.reopen()
        assert s.outbox.get_job(2) == done
        assert s.outbox.get_job(1) == a
        assert s.outbox.get_job(99) is None
        assert [j.id for j in s.outbox.jobs()] == [1, 2, 3]
        assert [j.id for j in s.outbox.jobs(status=JobStatus.RUNNING)] == [1, 3]
        assert [j.id for j in s.outbox.jobs(status=JobStatus.DONE)] == [2]
        assert s.outbox.jobs(status=JobStatus.STOPPED) == []
        with pytest.raises(KeyError):
            s.outbox.save_job(replace(a, id=42))
        assert s.outbox.add_job(kind="x", created_at=T0, total=0).id == 4

    def test_items_get_ids_in_order(self, harness: Harness) -> None:
        """add assigns the next ids in order, ignoring the given id; records come back whole."""
        s = harness.store
        fancy = item(
            id=77,
            lang="vi",
            pin=True,
            recipient=5,
            buttons=((OutboxButton("Đã nhận", "ack:1", "1"), OutboxButton("Hỏi", "ask:1")),),
            file=OutboxFile("f-1", "chi-thi.pdf", mime="application/pdf"),
        )
        first = s.outbox.add([fancy, item(chat_key="zalo:bot1:u2"), item(2)])
        assert ids(first) == [1, 2, 3]
        assert first[0] == replace(fancy, id=1)
        assert s.outbox.add([]) == []
        assert ids(s.outbox.add([item(1, chat_key="telegram:bot:9")])) == [4]
        s = harness.reopen()
        assert s.outbox.get(1) == replace(fancy, id=1)
        assert s.outbox.get(99) is None
        assert ids(s.outbox.for_job(1)) == [1, 2, 4]
        assert ids(s.outbox.for_job(2)) == [3]
        assert s.outbox.for_job(3) == []
        assert ids(s.outbox.add([item()])) == [5]

    def test_save_replaces_only_stored_items_of_the_same_job(self, harness: Harness) -> None:
        """Saving an unknown id or moving an item to another job is refused."""
        s = harness.store
        (one,) = s.outbox.add([item()])
        with pytest.raises(KeyError):
            s.outbox.save(replace(one, id=5))
        with pytest.raises(ValueError, match="job"):
            s.outbox.save(replace(one, job_id=2))
        s = harness.reopen()
        assert s.outbox.get(1) == one
        assert s.outbox.get(5) is None
        assert s.outbox.for_job(2) == []

    def test_due_orders_by_time_then_id_and_filters_by_now(self, harness: Harness) -> None:
        """due() gives PENDING items due by `now` (inclusive), by (next_attempt_at, id)."""
        s = harness.store
        offsets = [30, 0, 10, 0, 60, 10]  # minutes after T0, for ids 1..6
        s.outbox.add([item(at=T0, next_attempt_at=T0 + timedelta(minutes=m)) for m in offsets])
        s = harness.reopen()
        assert ids(s.outbox.due(now=T0 + timedelta(minutes=30), limit=10)) == [2, 4, 3, 6, 1]
        assert ids(s.outbox.due(now=T0 + timedelta(minutes=10), limit=3)) == [2, 4, 3]
        assert ids(s.outbox.due(now=T0 - timedelta(seconds=1), limit=10)) == []
        assert s.outbox.due(now=T0, limit=0) == []
        # The same instant in another zone is the same time.
        utc_now = (T0 + timedelta(minutes=10)).astimezone(UTC)
        assert ids(s.outbox.due(now=utc_now, limit=10)) == [2, 4, 3, 6]
        far = datetime.max.replace(tzinfo=HANOI)
        assert ids(s.outbox.due(now=far, limit=1_000_000)) == [2, 4, 3, 6, 1, 5]
        assert s.outbox.next_due_at() == T0
        # Reading twice gives the same answer: due() takes nothing away.
        assert ids(s.outbox.due(now=far, limit=2)) == [2, 4]

    def test_state_changes_move_items_between_queries(self, harness: Harness) -> None:
        """PENDING, INFLIGHT, retry and SENT move an item in and out of due/inflight/backlog."""
        s = harness.store
        s.outbox.add([item(at=T0 + timedelta(minutes=n)) for n in range(3)])
        later = T0 + timedelta(hours=1)
        assert s.outbox.backlog() == (3, T0)
        set_status(s, 1, S.INFLIGHT, attempts=1)
        s = harness.reopen()
        assert ids(s.outbox.due(now=later, limit=10)) == [2, 3]
        assert ids(s.outbox.inflight()) == [1]
        assert s.outbox.backlog() == (3, T0)  # in flight is still backlog
        set_status(s, 1, S.SENT, sent_at=later, message_ids=("m1",))
        set_status(s, 2, S.INFLIGHT)
        set_status(s, 2, S.PENDING, next_attempt_at=later, error="429")
        s = harness.reopen()
        assert s.outbox.inflight() == []
        assert s.outbox.backlog() == (2, T0 + timedelta(minutes=1))
        assert ids(s.outbox.due(now=T0 + timedelta(minutes=5), limit=10)) == [3]
        assert ids(s.outbox.due(now=later, limit=10)) == [3, 2]
        assert s.outbox.next_due_at() == T0 + timedelta(minutes=2)
        set_status(s, 3, S.UNREACHABLE)
        assert s.outbox.next_due_at() == later
        set_status(s, 2, S.HELD)
        s = harness.reopen()
        assert s.outbox.backlog() == (0, None)
        assert s.outbox.next_due_at() is None
        assert s.outbox.due(now=later, limit=10) == []
        assert [i.status for i in s.outbox.for_job(1)] == [S.SENT, S.HELD, S.UNREACHABLE]

    def test_compact_removes_finished_items_of_old_finished_jobs(self, harness: Harness) -> None:
        """compact drops finished items of jobs finished before the cut, and emptied jobs only."""
        s = harness.store
        cut = T0 + timedelta(days=30)
        old_done = s.outbox.add_job(kind="a", created_at=T0, total=2)
        recent = s.outbox.add_job(kind="b", created_at=T0, total=1)
        running = s.outbox.add_job(kind="c", created_at=T0, total=1)
        old_stopped = s.outbox.add_job(kind="d", created_at=T0, total=3)
        statuses = [(1, S.SENT), (1, S.FAILED), (2, S.SENT), (3, S.SENT)]
        statuses += [(4, S.HELD), (4, S.PENDING), (4, S.SENT)]
        s.outbox.add([item(job_id, status=status) for job_id, status in statuses])
        s.outbox.save_job(replace(old_done, status=JobStatus.DONE, finished_at=T0))
        s.outbox.save_job(replace(recent, status=JobStatus.DONE, finished_at=cut))
        s.outbox.save_job(replace(old_stopped, status=JobStatus.STOPPED, finished_at=T0))
        s = harness.reopen()
        assert s.outbox.compact(before=cut) == 4
        s = harness.reopen()
        assert [j.id for j in s.outbox.jobs()] == [recent.id, running.id, old_stopped.id]
        assert s.outbox.for_job(old_done.id) == []
        assert (s.outbox.get(1), s.outbox.get(2)) == (None, None)
        assert ids(s.outbox.for_job(recent.id)) == [3]
        assert ids(s.outbox.for_job(running.id)) == [4]
        assert ids(s.outbox.for_job(old_stopped.id)) == [6]  # the unfinished item stays
        assert s.outbox.backlog() == (1, T0)
        assert s.outbox.compact(before=cut) == 0
        assert ids(s.outbox.add([item(running.id)])) == [8]  # ids are never reused
        if harness.on_disk:
            s.close()
            assert not (harness.path / "outbox" / f"{old_done.id}.json").exists()
            harness.store = open_store(harness.path)

    def test_a_job_is_finished_once_when_nothing_of_it_is_left(self, harness: Harness) -> None:
        """unfinished() counts the items still to send; finish_job() stores the finished job
        only over a running one, so of two instances finishing it the second changes nothing."""
        s = harness.store
        job = s.outbox.add_job(kind="directive", created_at=T0, total=3)
        other = s.outbox.add_job(kind="directive", created_at=T0, total=1)
        first, second, third = s.outbox.add([item(job.id), item(job.id), item(job.id)])
        s.outbox.add([item(other.id)])
        assert s.outbox.unfinished(job.id) == 3
        set_status(s, first.id, S.SENT)
        set_status(s, second.id, S.INFLIGHT)
        set_status(s, third.id, S.FAILED)
        s = harness.reopen()
        assert (s.outbox.unfinished(job.id), s.outbox.unfinished(other.id)) == (1, 1)
        set_status(s, second.id, S.SENT)
        assert s.outbox.unfinished(job.id) == 0
        done = replace(job, status=JobStatus.DONE, finished_at=T0, summary={"sent": 2})
        assert s.outbox.finish_job(done) is True
        again = replace(job, status=JobStatus.STOPPED, finished_at=T0, summary={"held": 3})
        assert s.outbox.finish_job(again) is False
        s = harness.reopen()
        stored = s.outbox.get_job(job.id)
        assert stored is not None and (stored.status, stored.summary) == (
            JobStatus.DONE,
            {"sent": 2},
        )
        assert s.outbox.get_job(other.id).status is JobStatus.RUNNING  # type: ignore[union-attr]
        assert s.outbox.unfinished(99) == 0

    def test_quota_counts_per_bot_and_month(self, harness: Harness) -> None:
        """add returns the new total, per bot and month; used reads it; months must be YYYY-MM."""
        s = harness.store
        assert s.quota.used("bot1", "2026-11") == 0
        assert s.quota.add("bot1", "2026-11", 3) == 3
        assert s.quota.add("bot1", "2026-11", 2) == 5
        assert s.quota.add("bot2", "2026-11", 1) == 1
        assert s.quota.add("bot1", "2026-12", 7) == 7
        s = harness.reopen()
        assert s.quota.used("bot1", "2026-11") == 5
        assert s.quota.used("bot2", "2026-11") == 1
        assert s.quota.used("bot1", "2026-12") == 7
        assert s.quota.used("bot2", "2026-12") == 0
        for bad in ("2026-1", "2026-13", "11-2026", "2026-11-01"):
            with pytest.raises(ValueError, match="2026-11"):
                s.quota.add("bot1", bad, 1)

    def test_atomic_rolls_back_a_job_with_its_items(self, harness: Harness) -> None:
        """A block that raises leaves no job, item, quota count or used id, in any index."""
        s = harness.store
        with pytest.raises(RuntimeError), s.atomic():
            job = s.outbox.add_job(kind="directive", created_at=T0, total=1000)
            s.outbox.add([item(job.id, chat_key=f"zalo:bot1:u{n}") for n in range(1000)])
            set_status(s, 5, S.INFLIGHT)
            s.quota.add("bot1", "2026-11", 1)
            assert s.outbox.backlog() == (1000, T0)  # the block reads its own writes
            raise RuntimeError
        assert_no_trace(s)
        s = harness.reopen()
        assert_no_trace(s)
        with s.atomic():  # committed together: an INFLIGHT mark and its quota count
            job = s.outbox.add_job(kind="directive", created_at=T0, total=2)
            assert ids(s.outbox.add([item(job.id), item(job.id)])) == [1, 2]
        with s.atomic():
            set_status(s, 1, S.INFLIGHT)
            s.quota.add("bot1", "2026-11", 1)
        s = harness.reopen()
        assert (job.id, ids(s.outbox.inflight()), s.quota.used("bot1", "2026-11")) == (1, [1], 1)

    def test_outbox_files_are_tinydb_readable(self, harness: Harness) -> None:
        """After close, TinyDB reads a job's items by item id and the jobs table by job id."""
        if not harness.on_disk:
            pytest.skip("no files of the embedded backend")
        s = harness.store
        job = s.outbox.add_job(kind="directive", created_at=T0, total=2)
        s.outbox.add([item(job.id, text="Một"), item(job.id, text="Hai")])
        s.quota.add("bot1", "2026-11", 2)
        s.close()
        with TinyDB(harness.path / "outbox" / "1.json", access_mode="r") as db:
            doc = db.table("outbox").get(doc_id=2)
            assert doc is not None
            assert (doc["text"], doc["status"]) == ("Hai", "pending")
            assert doc["created_at"] == "2026-11-24T08:30:00+07:00"
        with TinyDB(harness.path / "outbox_jobs.json", access_mode="r") as db:
            assert db.table("outbox_jobs").get(doc_id=1)["kind"] == "directive"  # type: ignore[index]
        harness.store = open_store(harness.path)
        assert harness.store.quota.used("bot1", "2026-11") == 2
