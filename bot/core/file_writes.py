"""How the bot writes files: private (owner only, whatever the umask) and crash-safe.

Every file the bot writes (store, journal, locks, shards, outbox, file store, link secret,
backups, exports, log files) is made with `open_private` or `write_atomic` (mode 0600), every
folder with `private_dir` (0700): the data holds people's names, phone numbers and the key that
signs file links, and outside systemd (UMask=0077) a umask of 022 would leave them 0644.
`tighten_tree` closes up a data directory an older version wrote under such a umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

TMP_SUFFIX = ".tmp"
FILE_MODE = 0o600  # read and write for the bot's own user, nothing for anyone else
DIR_MODE = 0o700
_OTHERS = 0o077  # the group's and everyone else's bits


def open_private(path: Path | str, flags: int) -> int:
    """os.open with O_CREAT: a new file gets mode 0600 whatever the umask, and an existing file
    of ours with another mode is set to 0600 (a file of another user is left as it is)."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) != FILE_MODE and info.st_uid == os.geteuid():
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_dir(path: Path | str) -> Path:
    """`mkdir -p` whose new folders (the last one and missing parents) get mode 0700 whatever
    the umask; folders that exist are left as they are. Returns the path."""
    path = Path(path)
    if path.is_dir():
        return path
    if path.parent != path:
        private_dir(path.parent)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if path.is_dir():  # made meanwhile by another process
            return path
        raise
    os.chmod(path, DIR_MODE)  # mkdir's mode passes through the umask
    return path


def write_atomic(path: Path, payload: bytes, *, mode: int = FILE_MODE) -> None:
    """Replace `path` with `payload` so that a crash leaves either the old or the new file.

    The file is private (0600), like everything the bot writes; `mode` may only narrow that.
    The caller fsyncs the directory (once for many files) before it relies on the rename.
    """
    tmp = path.with_name(path.name + TMP_SUFFIX)
    fd = open_private(tmp, os.O_WRONLY | os.O_TRUNC)
    try:
        try:
            if mode & ~FILE_MODE == 0 and mode != FILE_MODE:
                os.fchmod(fd, mode)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        # A full disk: the half-written temp file would only hold on to the space it took.
        tmp.unlink(missing_ok=True)
        raise


def fsync_dir(path: Path) -> None:
    """Make renames and new files in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tighten_tree(root: Path) -> int:
    """Take the group's and others' permissions off `root` and everything of ours under it (a
    data directory written before files were private); the number of entries changed. Symbolic
    links are not followed, and entries of other users are left alone."""
    changed = 0
    uid = os.geteuid()

    def tighten(path: str) -> None:
        nonlocal changed
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return  # removed meanwhile
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode) or info.st_uid != uid or not mode & _OTHERS:
            return
        os.chmod(path, mode & ~_OTHERS)
        changed += 1

    if not Path(root).is_dir():
        return 0
    tighten(str(root))
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            tighten(os.path.join(folder, name))
    return changed
