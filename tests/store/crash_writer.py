"""A store writer for the crash test: prints each write's tag once the store call has returned.

Usage: crash_writer.py MODE DIR START COUNT [FAULT]. MODE "mixed" writes people, reports and
batches; MODE "outbox" stores one job of COUNT items (if there is none yet), puts back what was
in flight, then sends the items one by one as the outbox service does (START is unused).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.models import Account, OutboxItem, OutboxStatus, Report
from bot.store import open_store
from bot.store.embedded import atomic, journal

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FAR = T0 + timedelta(days=365)
QUOTA = ("bot1", "2026-01")


def report(rid: str, n: int) -> Report:
    return Report(
        id=rid,
        type="sinh",
        area=f"thon-{n % 7}",
        period=f"2026-{n % 12 + 1:02d}",
        values={"sinh": n, "nam": n // 2, "nu": n - n // 2},
        reporter=1 + n % 5,
        platform="zalo",
        received_at=T0 + timedelta(minutes=n),
    )


def outbox_item(job_id: int, n: int) -> OutboxItem:
    # A long text, so commits fill the journal and checkpoints come often.
    return OutboxItem(
        id=0,
        job_id=job_id,
        chat_key=f"zalo:bot1:u{n}",
        chat_kind="private",
        text=f"Chỉ thị số {n}: họp giao ban toàn xã lúc 8 giờ sáng thứ hai. " * 3,
        status=OutboxStatus.PENDING,
        created_at=T0,
        next_attempt_at=T0,
    )


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def inject(fault: str) -> None:
    """Kill this process at a chosen point inside the store, where a timed kill rarely lands.

    "replace:N" dies at the N-th checkpoint file write after the temp file, before its rename;
    "renamed:N" right after that rename (the journal is not emptied yet); "torn:N" half-way
    through writing the N-th journal line.
    """
    kind, _, nth = fault.partition(":")
    calls = {"file": 0, "line": 0}
    real_write = atomic.write_atomic
    real_append = journal.Journal.append

    def write_atomic(path: Path, payload: bytes) -> None:
        calls["file"] += 1
        if calls["file"] == int(nth) and kind == "replace":
            path.with_name(path.name + atomic.TMP_SUFFIX).write_bytes(payload[: len(payload) // 2])
            die()
        real_write(path, payload)
        if calls["file"] == int(nth) and kind == "renamed":
            die()

    def append(self: journal.Journal, line: bytes) -> None:
        calls["line"] += 1
        if calls["line"] == int(nth) and kind == "torn":
            os.write(self._fd, line[: len(line) // 2])
            die()
        real_append(self, line)

    atomic.write_atomic = write_atomic  # type: ignore[assignment]
    journal.Journal.append = append  # type: ignore[method-assign]


def ack(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main_outbox(data_dir: Path, count: int) -> None:
    store = open_store(data_dir, fsync="batch", checkpoint_bytes=6000)
    if not store.outbox.jobs():
        with store.atomic():
            job = store.outbox.add_job(kind="directive", created_at=T0, total=count)
            store.outbox.add([outbox_item(job.id, n) for n in range(count)])
        ack(f"J {job.id} {count}")
    for found in store.outbox.inflight():  # recovery, as the outbox service does at start
        store.outbox.save(replace(found, status=OutboxStatus.PENDING, possibly_repeated=True))
        ack(f"R {found.id}")
    while due := store.outbox.due(now=FAR, limit=1):
        item = replace(due[0], status=OutboxStatus.INFLIGHT, attempts=due[0].attempts + 1)
        with store.atomic():  # the mark and the quota count commit together
            store.outbox.save(item)
            store.quota.add(*QUOTA, 1)
        ack(f"I {item.id}")
        store.outbox.save(replace(item, status=OutboxStatus.SENT, sent_at=T0))
        ack(f"S {item.id}")
    # All sent: the test kills us before this; if it does not, end (bounded) and it fails.
    time.sleep(30)
    store.close()


def main(data_dir: Path, start: int, count: int) -> None:
    # A tiny checkpoint threshold, so that kills also land in the middle of checkpoints.
    store = open_store(data_dir, fsync="batch", checkpoint_bytes=6000)
    out = sys.stdout
    for n in range(start, start + count):
        step = n % 3
        if step == 0:
            person = store.people.add(
                name=f"p{n}", accounts=(Account(f"telegram:{n}"),), created_at=T0
            )
            out.write(f"P {n} {person.id}\n")
        elif step == 1:
            store.reports.add(report(f"r{n}", n))
            out.write(f"R {n}\n")
        else:
            with store.atomic():
                store.people.add(name=f"b{n}", created_at=T0)
                store.reports.add(report(f"b{n}-1", n))
                store.reports.add(report(f"b{n}-2", n + 1))
                store.inbound.mark(f"b{n}", at=T0)
            out.write(f"B {n}\n")
        out.flush()
    store.close()


if __name__ == "__main__":
    mode, folder, first, how_many, *fault = sys.argv[1:]
    if fault:
        inject(fault[0])
    if mode == "outbox":
        main_outbox(Path(folder), int(how_many))
    else:
        main(Path(folder), int(first), int(how_many))
