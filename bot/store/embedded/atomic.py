"""Crash-safe file replacement (temp file, fsync, os.replace, fsync dir) and the data-dir lock."""

from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any

from bot.core.file_writes import TMP_SUFFIX, fsync_dir, open_private, write_atomic
from bot.store.base import StoreLockedError

__all__ = ["TMP_SUFFIX", "dumps", "fsync_dir", "write_atomic", "write_json_atomic"]

log = logging.getLogger(__name__)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON: Vietnamese names stay readable and small on disk."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, dumps(data))


def remove_leftovers(path: Path) -> None:
    """Delete temp files a crash left behind: they were never renamed, so never relied on."""
    for tmp in path.glob("*" + TMP_SUFFIX):
        log.info("removing unfinished checkpoint file %s", tmp)
        tmp.unlink(missing_ok=True)


class DirLock:
    """An exclusive flock on a file in the data directory, held while the store is open.

    flock locks belong to the open file, so the kernel drops the lock when the process dies
    (even by kill -9): there is never a stale lock to clean up by hand.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = open_private(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            msg = f"the store in {path.parent} is already open (lock {path} is held)"
            raise StoreLockedError(msg) from None
        except BaseException:
            os.close(fd)
            raise
        # Who holds it, for whoever looks at the directory; the lock itself is the flock, so a
        # full disk that refuses this note must not keep the bot from starting.
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as exc:
            log.warning("could not note the process id in %s: %s", path, exc)
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class CheckpointLock:
    """The flock that keeps checkpoints and backups apart (file `checkpoint.lock`).

    A checkpoint rewrites several files and then empties the journal; a backup copying files in
    between would get a mix. The store takes it exclusively around each checkpoint, a backup
    takes it shared while it copies the checkpoint files and the journal's complete lines.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Read-only is enough for flock, so a backup may run as a user who cannot write here.
        self._fd = open_private(path, os.O_RDONLY)

    def acquire(self, *, exclusive: bool, wait: bool = True) -> bool:
        """Take the lock; with wait=False, False at once when someone else holds it."""
        flags = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(self._fd, flags if wait else flags | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the lock too
            self._fd = -1
