"""Durability: kill -9 anywhere keeps acknowledged writes once, batches whole; fsync policies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from bot.core.models import OutboxStatus
from bot.store import open_store
from tests.store.crash_writer import FAR, QUOTA, outbox_item, report

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run_writer(
    data_dir: Path,
    *,
    start: int = 0,
    kill_after: int | None = None,
    fault: str = "",
    mode: str = "mixed",
    count: int = 3000,
) -> list[list[str]]:
    """Run the writer until it is SIGKILLed (by us after `kill_after` acks, or by its injected
    fault); return every acknowledged write it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A bounded run: if the kill never comes the writer ends by itself and the test fails.
    args = [sys.executable, str(WRITER), mode, str(data_dir), str(start), str(count)]
    proc = subprocess.Popen([*args, fault] if fault else args, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    acks: list[list[str]] = []
    try:
        if kill_after is not None:
            while len(acks) < kill_after:
                line = proc.stdout.readline()
                assert line.endswith(b"\n"), "the writer stopped before it was killed"
                acks.append(line.decode().split())
            # The writer keeps going while we kill it, so the kill lands at an arbitrary point.
            proc.send_signal(signal.SIGKILL)
        # Lines printed before the kill were acknowledged too; a line cut short was not.
        acks += [line.decode().split() for line in proc.stdout.read().split(b"\n")[:-1]]
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return acks


def assert_files_parse(data_dir: Path) -> None:
    """Every checkpoint file is whole JSON, and TinyDB opens each table and shard file."""
    folders = (data_dir, data_dir / "reports", data_dir / "outbox")
    for path in [p for folder in folders for p in folder.glob("*.json")]:
        json.loads(path.read_bytes())
        if not path.name.endswith(".idx.json"):
            with TinyDB(path, access_mode="r") as db:
                assert db.tables()


def assert_all_there(data_dir: Path, acked: list[list[str]]) -> None:
    """Reopen: each acknowledged write is there exactly once, and each batch is whole or absent."""
    store = open_store(data_dir)
    try:
        people = store.people.all()
        names = [p.name for p in people]
        assert len(names) == len(set(names)), "a person was stored twice"
        for tag, n, *rest in acked:
            if tag == "P":
                person = store.people.by_account(f"telegram:{n}")
                assert person is not None
                assert (person.id, person.name) == (int(rest[0]), f"p{n}")
            elif tag == "R":
                assert [r.values["sinh"] for r in store.reports.versions(f"r{n}")] == [int(n)]
            else:
                assert f"b{n}" in names
        batches = {name[1:] for name in names if name.startswith("b")}
        for n in batches:
            assert len(store.reports.versions(f"b{n}-1")) == 1
            assert len(store.reports.versions(f"b{n}-2")) == 1
            assert store.inbound.seen(f"b{n}")
        for month in range(1, 13):
            for r in store.reports.in_period("sinh", f"2026-{month:02d}"):
                if r.id.startswith("b"):
                    assert r.id.split("-")[0][1:] in batches, f"{r.id} without its batch"
                assert len(store.reports.versions(r.id)) == 1
    finally:
        store.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_nine_loses_no_acknowledged_write(tmp_path: Path, seed: int) -> None:
    """Several kill -9 rounds on one store: acknowledged writes are all there exactly once."""
    rng = random.Random(seed)
    acked: list[list[str]] = []
    for round_ in range(3):
        kill_after = rng.randint(1, 300)
        acked += run_writer(tmp_path, start=round_ * 100_000, kill_after=kill_after)
        assert len(acked) >= kill_after
        assert_files_parse(tmp_path)
        assert_all_there(tmp_path, acked)


@pytest.mark.parametrize(
    "fault", ["replace:3", "replace:45", "renamed:8", "renamed:60", "torn:30"]
)
def test_kill_inside_checkpoint_or_journal_write(tmp_path: Path, fault: str) -> None:
    """A kill inside a checkpoint or halfway through a journal line loses no acknowledged write."""
    acked = run_writer(tmp_path, kill_after=60)
    acked += run_writer(tmp_path, start=100_000, fault=fault)
    # run_writer saw the SIGKILL exit, so the fault fired (unharmed, the writer ends with 0).
    if fault.startswith("replace"):
        assert list(tmp_path.rglob("*.tmp")), "the fault left no temp file"
    if fault.startswith("torn"):
        assert not (tmp_path / "journal.jsonl").read_bytes().endswith(b"\n")
    assert_files_parse(tmp_path)
    assert_all_there(tmp_path, acked)
    assert not list(tmp_path.rglob("*.tmp"))


def test_torn_last_line_is_ignored_and_cut(tmp_path: Path) -> None:
    """A half-written last journal line is dropped at open, and later writes replay fine."""
    store = open_store(tmp_path)
    store.people.add(name="kept", created_at=T0)
    # Simulate a crash: journal written, no checkpoint (the lock goes with the process).
    journal = (tmp_path / "journal.jsonl").read_bytes()
    store.close()
    (tmp_path / "journal.jsonl").write_bytes(journal + b'{"ops":[["people",2,{"id":2,"na')
    store = open_store(tmp_path)
    assert [p.name for p in store.people.all()] == ["kept"]
    store.people.add(name="after", created_at=T0)
    journal = (tmp_path / "journal.jsonl").read_bytes()
    store.close()
    (tmp_path / "people.json").unlink()
    (tmp_path / "journal.jsonl").write_bytes(journal)
    store = open_store(tmp_path)
    assert [p.name for p in store.people.all()] == ["after"]
    store.close()


def test_damaged_middle_line_keeps_what_came_before(tmp_path: Path) -> None:
    """A damaged line followed by others stops replay there and keeps a copy of the journal."""
    store = open_store(tmp_path)
    store.meta.set("a", 1)
    good = (tmp_path / "journal.jsonl").read_bytes()
    store.close()
    (tmp_path / "meta.json").unlink()
    later = b'{"ops":[["meta","b",{"key":"b","value":2}]]}\n'
    (tmp_path / "journal.jsonl").write_bytes(good + b"\x00\x00garbage\n" + later)
    store = open_store(tmp_path)
    assert (store.meta.get("a"), store.meta.get("b")) == (1, None)
    store.close()
    assert (tmp_path / "journal.jsonl.damaged").read_bytes().endswith(later)


def test_checkpoints_keep_data_and_shorten_the_journal(tmp_path: Path) -> None:
    """With a tiny checkpoint threshold the journal stays short and nothing is lost."""
    s = open_store(tmp_path, checkpoint_bytes=2000)
    for n in range(60):
        s.reports.add(report(f"r{n}", n))
        s.people.add(name=f"p{n}", created_at=T0)
    assert (tmp_path / "journal.jsonl").stat().st_size < 4000
    s.close()
    s = open_store(tmp_path)
    assert s.reports.count() == 60
    assert len(s.people.all()) == 60
    assert len(s.reports.in_period("sinh", "2026-03")) == 5
    s.close()


@pytest.mark.parametrize("policy", ["always", "batch", "never"])
def test_every_fsync_policy_keeps_writes(tmp_path: Path, policy: Any) -> None:
    """Whatever the fsync policy, flushed and closed writes are there after reopening."""
    s = open_store(tmp_path, fsync=policy)
    s.people.add(name="A", created_at=T0)
    s.flush()
    s.close()
    s.close()  # closing twice is harmless
    s = open_store(tmp_path, fsync=policy)
    assert [p.name for p in s.people.all()] == ["A"]
    s.close()


def test_unknown_fsync_policy_is_refused(tmp_path: Path) -> None:
    """A misspelt fsync policy fails at open, not silently later."""
    with pytest.raises(ValueError, match="batch"):
        open_store(tmp_path, fsync="sometimes")  # type: ignore[arg-type]
    open_store(tmp_path).close()  # and the failed open did not keep the lock


OUTBOX_ITEMS = 150


def assert_outbox_whole(data_dir: Path, acked: list[list[str]], *, rounds: int) -> int:
    """Reopen: the job is whole or absent, acknowledged sends are SENT, sends form a prefix of
    the ids, at most one item is in flight, and the indexes agree with the items. Returns how
    many acknowledgements the rest of the work would still print."""
    store = open_store(data_dir)
    try:
        jobs = store.outbox.jobs()
        assert len(jobs) == 1 or (not jobs and not any(tag == "J" for tag, *_ in acked))
        if not jobs:
            assert (store.outbox.get(1), store.outbox.backlog()) == (None, (0, None))
            assert store.quota.used(*QUOTA) == 0
            return 1 + 2 * OUTBOX_ITEMS
        items = store.outbox.for_job(jobs[0].id)
        assert [i.id for i in items] == list(range(1, OUTBOX_ITEMS + 1))
        assert [i.text for i in items] == [outbox_item(1, n).text for n in range(OUTBOX_ITEMS)]
        sent = [i.id for i in items if i.status is OutboxStatus.SENT]
        assert sent == list(range(1, len(sent) + 1)), "sends are not a prefix of the job"
        assert {int(n) for tag, n, *_ in acked if tag == "S"} <= set(sent)
        inflight = [i for i in items if i.status is OutboxStatus.INFLIGHT]
        assert len(inflight) <= 1
        assert store.outbox.inflight() == inflight
        pending = [i for i in items if i.status is OutboxStatus.PENDING]
        assert store.outbox.due(now=FAR, limit=OUTBOX_ITEMS) == pending
        assert store.outbox.backlog()[0] == OUTBOX_ITEMS - len(sent)
        # Each committed INFLIGHT mark counted once; the last of a round may be unacknowledged.
        marks = sum(1 for tag, *_ in acked if tag == "I")
        assert marks <= store.quota.used(*QUOTA) <= marks + rounds
        return 2 * (OUTBOX_ITEMS - len(sent)) + len(inflight)
    finally:
        store.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_nine_while_sending_the_outbox(tmp_path: Path, seed: int) -> None:
    """kill -9 at seeded points while a job is stored and sent: the job stays whole, every
    acknowledged send stays SENT, and at most one item is left in flight."""
    rng = random.Random(seed)
    acked: list[list[str]] = []
    left = 1 + 2 * OUTBOX_ITEMS
    for round_ in range(1, 4):
        kill_after = rng.randint(1, left)
        acked += run_writer(tmp_path, mode="outbox", count=OUTBOX_ITEMS, kill_after=kill_after)
        assert_files_parse(tmp_path)
        left = assert_outbox_whole(tmp_path, acked, rounds=round_)
        if not left:
            break


# File writes of the outbox writer: 1-2 meta.json, 3 outbox_jobs.json, 4 outbox/1.json (the
# new job), then each checkpoint writes quota.json (odd) and patches outbox/1.json (even).
@pytest.mark.parametrize(
    "fault", ["torn:2", "replace:4", "renamed:4", "replace:10", "renamed:13", "torn:40"]
)
def test_outbox_kill_inside_checkpoint_or_journal_write(tmp_path: Path, fault: str) -> None:
    """A kill tearing the job's journal line, or inside a checkpoint of the job file, keeps
    the job whole (or absent, when its commit was torn) and every acknowledged send."""
    acked = run_writer(tmp_path, mode="outbox", count=OUTBOX_ITEMS, fault=fault)
    if fault == "torn:2":  # the job's own commit was cut: no acknowledgement, no job
        assert acked == []
    if fault.startswith("replace"):
        assert list(tmp_path.rglob("*.tmp")), "the fault left no temp file"
    assert_files_parse(tmp_path)
    assert_outbox_whole(tmp_path, acked, rounds=1)
    assert not list(tmp_path.rglob("*.tmp"))
