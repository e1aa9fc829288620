"""The outbox indexes against a plain scan, under random changes, rollbacks and checkpoints."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.core.models import JobStatus, OutboxItem, OutboxStatus
from bot.store import Store, open_store
from tests.store.harness import empty_database
from tests.store.test_outbox_contract import T0, item

S = OutboxStatus
FAR = T0 + timedelta(days=365)


class Rollback(Exception):
    """Raised inside atomic() to undo a random block."""


def everything(s: Store) -> list[OutboxItem]:
    """Every stored item, found through the jobs (items are only ever added to a job)."""
    return sorted((i for j in s.outbox.jobs() for i in s.outbox.for_job(j.id)), key=lambda i: i.id)


def assert_indexes_match(s: Store, rng: random.Random) -> None:
    """Each index-backed query equals the same question answered by scanning every item."""
    items = everything(s)
    pending = sorted(
        (i for i in items if i.status is S.PENDING), key=lambda i: (i.next_attempt_at, i.id)
    )
    unfinished = [i for i in items if i.status in (S.PENDING, S.INFLIGHT)]
    assert s.outbox.due(now=FAR, limit=10_000) == pending
    now = T0 + timedelta(minutes=rng.randint(0, 70))
    limit = rng.randint(1, 5)
    due_now = [i for i in pending if i.next_attempt_at <= now]
    assert s.outbox.due(now=now, limit=limit) == due_now[:limit]
    assert s.outbox.inflight() == [i for i in items if i.status is S.INFLIGHT]
    oldest = min((i.created_at for i in unfinished), default=None)
    assert s.outbox.backlog() == (len(unfinished), oldest)
    assert s.outbox.next_due_at() == (pending[0].next_attempt_at if pending else None)


def random_change(s: Store, rng: random.Random, top: int) -> None:
    """One write: a new job with items, a status change, a finished job, or a compaction."""
    roll = rng.random()

    def minute() -> datetime:
        return T0 + timedelta(minutes=rng.randint(0, 60))

    if roll < 0.15:
        job = s.outbox.add_job(kind="k", created_at=T0, total=3)
        count = rng.randint(0, 4)
        s.outbox.add([item(job.id, at=minute(), next_attempt_at=minute()) for _ in range(count)])
    elif roll < 0.9:
        found = s.outbox.get(rng.randint(1, top))
        if found is not None:
            status = rng.choice(list(S))
            s.outbox.save(replace(found, status=status, next_attempt_at=minute()))
    elif roll < 0.97:
        jobs = s.outbox.jobs(status=JobStatus.RUNNING)
        if jobs:
            job = rng.choice(jobs)
            s.outbox.save_job(replace(job, status=JobStatus.DONE, finished_at=minute()))
    else:
        s.outbox.compact(before=minute())


@pytest.mark.parametrize("backend", ["memory", "tinydb", "postgres"])
def test_indexes_match_a_scan_under_random_changes(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """After every random block (a fifth rolled back) the indexes (PostgreSQL's queries)
    agree with a plain scan; the disk backend, checkpointing every few commits, reopens to
    exactly the same items."""
    rng = random.Random(11)
    if backend == "postgres":
        url = request.getfixturevalue("pg_store_url")
        empty_database(url)
        s = open_store(backend="postgres", url=url)
    else:
        s = open_store(tmp_path, backend=backend, checkpoint_bytes=3000)
    # Fewer rounds on PostgreSQL, where each answer is a round trip: still a few hundred items.
    for _ in range(300 if backend == "postgres" else 700):
        try:
            with s.atomic():
                for _ in range(rng.randint(1, 3)):
                    random_change(s, rng, top=s.meta.get("next_id.outbox", 1))
                if rng.random() < 0.2:
                    raise Rollback
        except Rollback:
            pass
        assert_indexes_match(s, rng)
    before = (everything(s), s.outbox.jobs())
    assert len(before[0]) > 50  # the run built a real outbox, not an empty one
    if backend == "tinydb":
        s.close()
        s = open_store(tmp_path)
        assert (everything(s), s.outbox.jobs()) == before
        assert_indexes_match(s, rng)
    s.close()
