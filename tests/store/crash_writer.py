"""A store writer for the crash test: prints each write's tag once the store call has returned."""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.models import Account, Report
from bot.store import atomic, journal, open_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


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
    if len(sys.argv) > 4:
        inject(sys.argv[4])
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
