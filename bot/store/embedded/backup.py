"""Backup archives of a data directory, consistent while the bot runs, and restoring them.

Why this is consistent without opening the store (the running bot holds store.lock): the store's
files change only inside checkpoint(), which holds checkpoint.lock exclusively; between
checkpoints only the journal grows, by whole lines appended. A backup takes checkpoint.lock
shared, copies the checkpoint files, then the journal up to its last complete line, and lets go.
Checkpoint files plus that journal prefix are the state after one commit; opening the restored
store replays the prefix. The bot meanwhile goes on committing; a checkpoint due while the backup
holds the lock is put off to a later commit.

The archive (tar.gz): `data/<path>` for each file, then `manifest.json` with the format, the
schema version, the time, and each file's size and sha256. Left out: the lock files, unfinished
*.tmp files, `backups/` (archives of earlier backups) and `sandbox/` (the training district).
Files outside the store (`files/`, `link-secret`) are copied after the lock is let go: they are
written whole by rename before any record names them.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from bot.core.file_writes import FILE_MODE, TMP_SUFFIX, fsync_dir, open_private, private_dir
from bot.store.base import SCHEMA_VERSION, StoreError, StoreVersionError
from bot.store.embedded.atomic import CheckpointLock

log = logging.getLogger(__name__)

FORMAT = "danso-bot-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data/"
CHECKPOINT_LOCK = "checkpoint.lock"
JOURNAL = "journal.jsonl"
BACKUPS_DIR = "backups"
SKIPPED_TOP = frozenset({"store.lock", CHECKPOINT_LOCK, BACKUPS_DIR, "sandbox"})
STORE_DIRS = ("reports", "outbox")  # folders whose files only checkpoints write


class BackupError(StoreError):
    """The archive cannot be restored: damaged, not a backup, or from a newer program."""


class TargetNotEmptyError(StoreError):
    """Restore goes only into an empty (or missing) data directory."""


class _Hashing:
    """A file reader that hashes what it hands out (tarfile reads members through it)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        return data


def _store_files(data_dir: Path) -> list[Path]:
    """The checkpoint files: top-level *.json and the report and outbox folders' *.json."""
    found = sorted(data_dir.glob("*.json"))
    for folder in STORE_DIRS:
        found += sorted((data_dir / folder).glob("*.json"))
    return found


def _other_files(data_dir: Path, taken: set[Path], skip: Path) -> Iterator[Path]:
    """Everything else worth keeping (files/, link-secret, …), outside the skipped names."""
    for top in sorted(data_dir.iterdir()):
        if top.name in SKIPPED_TOP:
            continue
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            if path in taken or path.name.endswith(TMP_SUFFIX) or path.resolve() == skip:
                continue
            yield path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def _schema_of(meta: bytes, journal: bytes) -> int | None:
    """The schema version the files and journal prefix record (the journal's last word wins)."""
    version = None
    for doc in json.loads(meta).get("meta", {}).values() if meta else ():
        if doc.get("key") == "schema_version":
            version = int(doc["value"])
    for line in journal.splitlines():
        for table, key, doc in json.loads(line).get("ops", ()):
            if table == "meta" and key == "schema_version" and doc is not None:
                version = int(doc["value"])
    return version


def write_backup(
    data_dir: Path,
    out: Path,
    *,
    now: datetime | None = None,
    while_locked: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Write a backup archive of `data_dir` to `out` (replaced whole by rename); returns the
    manifest. `while_locked` runs after the checkpoint files are copied, before the journal is
    read (tests use it to write while the backup holds the lock)."""
    data_dir, out = Path(data_dir), Path(out)
    if not (data_dir / "meta.json").exists() and not (data_dir / JOURNAL).exists():
        msg = f"{data_dir} holds no store to back up"
        raise StoreError(msg)
    created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    files: list[dict[str, Any]] = []
    tmp = out.with_name(out.name + TMP_SUFFIX)
    private_dir(out.parent)
    lock = CheckpointLock(data_dir / CHECKPOINT_LOCK)
    try:
        # Made private first: the archive holds people and the link secret, and tarfile would
        # create it under the umask (0644 under the usual 022).
        os.close(open_private(tmp, os.O_WRONLY | os.O_TRUNC))
        with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:

            def add(path: Path, data: bytes | None = None) -> None:
                rel = path.relative_to(data_dir).as_posix()
                info = tarfile.TarInfo(DATA + rel)
                if data is not None:
                    info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
                    info.mode = FILE_MODE
                    reader = _Hashing(io.BytesIO(data))
                    tar.addfile(info, reader)
                else:
                    with path.open("rb") as raw:
                        stat = os.fstat(raw.fileno())
                        info.size, info.mtime = stat.st_size, int(stat.st_mtime)
                        info.mode = FILE_MODE  # unpacked by hand too, it stays private
                        reader = _Hashing(raw)
                        tar.addfile(info, reader)
                files.append({"path": rel, "size": info.size, "sha256": reader.sha.hexdigest()})

            lock.acquire(exclusive=False)
            try:
                taken = _store_files(data_dir)
                for path in taken:
                    add(path)
                if while_locked is not None:
                    while_locked()
                meta, journal = _read(data_dir / "meta.json"), _read(data_dir / JOURNAL)
            finally:
                lock.release()
            journal = journal[: journal.rfind(b"\n") + 1]  # only complete commits
            add(data_dir / JOURNAL, journal)
            for path in _other_files(data_dir, {*taken, data_dir / JOURNAL}, out.resolve()):
                try:
                    add(path)
                except FileNotFoundError:  # deleted since listed (a purge): not in the backup
                    log.info("backup: %s went away while copying; left out", path)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_version": _schema_of(meta, journal),
                "created_at": created,
                "files": files,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            info.mode = FILE_MODE
            tar.addfile(info, io.BytesIO(body))
        with tmp.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        lock.close()
    return manifest


def backup_before_migration(data_dir: Path, version: int, now: datetime) -> Path:
    """The automatic archive taken before a migration: `<data_dir>/backups/pre-migration-v<N>-
    <UTC time>.tar.gz`, restorable with `python -m bot restore` like any other backup."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = data_dir / BACKUPS_DIR / f"pre-migration-v{version}-{stamp}.tar.gz"
    try:
        write_backup(data_dir, path, now=now)
    except OSError as exc:
        msg = f"cannot write the backup {path} that must precede the migration: {exc}"
        raise StoreVersionError(msg) from exc
    return path


def _member_path(name: str) -> str:
    """The relative path of a data member, refusing anything that could land outside."""
    rel = PurePosixPath(name[len(DATA) :])
    if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..") for p in rel.parts):
        msg = f"the archive holds an unsafe path {name!r}"
        raise BackupError(msg)
    return rel.as_posix()


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack the data members into `staging`, hashing them, and check them against the
    manifest; BackupError on any difference."""
    got: dict[str, tuple[int, str]] = {}
    manifest: Any = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    msg = f"the archive holds a link or device {member.name!r}"
                    raise BackupError(msg)
                source = tar.extractfile(member)
                assert source is not None
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                if not member.name.startswith(DATA):
                    msg = f"the archive holds an unexpected file {member.name!r}"
                    raise BackupError(msg)
                rel = _member_path(member.name)
                target = staging / rel
                private_dir(target.parent)
                reader = _Hashing(source)
                # Private whatever the archive says (older backups recorded 0644).
                with os.fdopen(open_private(target, os.O_WRONLY | os.O_TRUNC), "wb") as sink:
                    shutil.copyfileobj(reader, sink)  # type: ignore[misc]
                got[rel] = (member.size, reader.sha.hexdigest())
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
        msg = f"the archive {archive} is damaged or not a backup: {exc}"
        raise BackupError(msg) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        msg = f"{archive} is not a backup of this bot (no manifest)"
        raise BackupError(msg)
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest.get("files", ())}
    if listed != got:
        wrong = sorted(p for p in listed.keys() | got.keys() if listed.get(p) != got.get(p))
        msg = f"the archive {archive} is damaged: {', '.join(wrong[:5])} do not match its manifest"
        raise BackupError(msg)
    return manifest


def restore_backup(archive: Path, data_dir: Path) -> dict[str, Any]:
    """Unpack `archive` into `data_dir`, which must be empty or missing; every file is checked
    against the manifest before the directory appears. The caller then opens the store once
    (that replays the journal and migrates an older schema). Returns the manifest."""
    archive, data_dir = Path(archive), Path(data_dir)
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        msg = f"{data_dir} is not empty: restore only into an empty or new data directory"
        raise TargetNotEmptyError(msg)
    private_dir(data_dir.parent)
    staging = data_dir.with_name(f".{data_dir.name}.restoring-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    private_dir(staging)  # renamed into the data directory: 0700 like every data directory
    try:
        manifest = _unpack(archive, staging)
        version = manifest.get("schema_version")
        if isinstance(version, int) and version > SCHEMA_VERSION:
            msg = (
                f"the backup has schema version {version}, but this program knows only up to "
                f"{SCHEMA_VERSION}: restore it with a newer version of the bot"
            )
            raise BackupError(msg)
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            fsync_dir(folder)
        if data_dir.exists():
            data_dir.rmdir()
        os.rename(staging, data_dir)
        fsync_dir(data_dir.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest
