"""The append-only commit journal: one JSON line per commit, written before the commit returns.

Durability: a line is handed to the kernel with write(2) before the store method returns, so a
process crash (kill -9, OOM) never loses an acknowledged commit. Power loss or a kernel crash
loses at most the commits of the last fsync window: none with fsync="always", about the last
`interval` (50 ms) with "batch", everything since the last checkpoint with "never".
A line cut short by a crash was never acknowledged; replay ignores it.

A disk that refuses a write (full, failing, read-only) costs the commit being written, never an
earlier or a later one: the part of its line that reached the file is cut off again before
StoreWriteError is raised (with "always", also when its fsync fails), so the next line follows
a complete one. Only if even that cut fails does the journal refuse every further write.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.file_writes import open_private, write_atomic
from bot.store.base import FsyncPolicy, StoreWriteError

log = logging.getLogger(__name__)

POLICIES: tuple[str, ...] = ("always", "batch", "never")


@dataclass(frozen=True, slots=True)
class Replay:
    """What a journal held: the complete commits, and whether something after them was cut."""

    entries: list[dict[str, Any]]
    torn: bool  # bytes after the last good commit were ignored
    size: int  # bytes in the file
    good: int  # bytes up to and including the last good commit's newline


def read_journal(path: Path) -> Replay:
    """Every complete commit line of the journal, in order; stops at the first damaged line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Replay([], False, 0, 0)
    entries: list[dict[str, Any]] = []
    good = 0
    lines = data.split(b"\n")
    # The piece after the last newline is either empty or a line whose write never finished.
    complete, tail = lines[:-1], lines[-1]
    for number, line in enumerate(complete, 1):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or not isinstance(entry.get("ops"), list):
                raise ValueError("not a commit")  # one path for every bad line
        except ValueError:
            rest = [piece for piece in complete[number:] if piece.strip()]
            if rest:
                # A bad line followed by good ones is not a torn tail: the disk lost data.
                log.error(
                    "journal %s: line %d is damaged and %d lines follow; keeping the commits "
                    "before it and a copy of the journal",
                    path,
                    number,
                    len(rest),
                )
                write_atomic(path.with_name(path.name + ".damaged"), data)
            else:
                log.warning("journal %s: ignoring an unfinished last commit", path)
            return Replay(entries, True, len(data), good)
        entries.append(entry)
        good += len(line) + 1
    if tail.strip():
        log.warning("journal %s: ignoring an unfinished last commit", path)
    return Replay(entries, good < len(data), len(data), good)


class Journal:
    """Appends commit lines and fsyncs them per the policy (a background thread for "batch")."""

    def __init__(
        self, path: Path, *, fsync: FsyncPolicy = "batch", interval: float = 0.05
    ) -> None:
        if fsync not in POLICIES:
            msg = f"fsync must be one of {POLICIES}, not {fsync!r}"
            raise ValueError(msg)
        self.path = path
        self.policy = fsync
        self._fd = open_private(path, os.O_WRONLY | os.O_APPEND)
        self.size = os.fstat(self._fd).st_size
        self._lock = threading.Lock()
        self._written = 0  # commits appended so far
        self._synced = 0  # commits known durable
        self._broken: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if fsync == "batch":
            self._thread = threading.Thread(
                target=self._sync_loop, args=(interval,), name="store-fsync", daemon=True
            )
            self._thread.start()

    def append(self, line: bytes) -> None:
        """Write one commit line; when this returns the commit survives a process crash.
        StoreWriteError: the disk refused it, and nothing of it stays in the file."""
        if self._broken is not None:
            raise StoreWriteError(self._broken)
        with self._lock:
            start = self.size
            try:
                view = memoryview(line + b"\n")
                while view:
                    view = view[os.write(self._fd, view) :]
                if self.policy == "always":
                    # Under the lock: with "always" nothing else syncs, and a failed fsync
                    # must take this line out again before another follows it.
                    os.fdatasync(self._fd)
            except OSError as exc:
                self._undo_partial(start)
                msg = f"could not write the store journal {self.path}: {exc}"
                raise StoreWriteError(msg) from exc
            self.size = start + len(line) + 1
            self._written += 1
            if self.policy == "always":
                self._synced = self._written

    def sync(self) -> None:
        """fsync what was appended so far, whatever the policy."""
        with self._lock:
            target = self._written
            if self._synced >= target or self._fd < 0:
                return
            # fsync a duplicate outside the lock, so appends are not held up behind the disk.
            fd = os.dup(self._fd)
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)
        with self._lock:
            self._synced = max(self._synced, target)

    def reset(self) -> None:
        """Empty the journal: a checkpoint has made everything in it durable elsewhere."""
        with self._lock:
            os.ftruncate(self._fd, 0)
            os.fdatasync(self._fd)
            self.size = 0
            self._synced = self._written

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sync()
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _undo_partial(self, start: int) -> None:
        # Part of the line may be in the file: cut it, or later lines would follow garbage.
        # (Cutting frees space, so it works on a full disk.)
        try:
            os.ftruncate(self._fd, start)
        except OSError:
            self._broken = f"the store journal {self.path} is damaged; restart the bot"
            log.exception("could not cut a partial journal line; refusing further writes")

    def _sync_loop(self, interval: float) -> None:
        failing = False
        while not self._stop.wait(interval):
            try:
                self.sync()
            except OSError:
                # Nothing to retry safely after a failed fsync (the kernel may drop the pages);
                # say it loudly (once, not every interval), the next checkpoint rewrites
                # everything anyway.
                if not failing:
                    log.exception("fsync of the store journal failed")
                failing = True
            else:
                if failing:
                    log.warning("fsync of the store journal works again")
                failing = False
