"""Backups while the store is being written, and restores that refuse what they should."""

from __future__ import annotations

import gzip
import io
import tarfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.models import Report
from bot.store import SCHEMA_VERSION, open_store
from bot.store.embedded.backup import (
    BackupError,
    TargetNotEmptyError,
    restore_backup,
    write_backup,
)
from bot.store.embedded.tinydb_store import TinyDBStore
from bot.store.maintenance.check import check_store
from bot.store.repos.core_store import CoreStore

ICT = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=ICT)
WRITES_WHILE_LOCKED = 150  # ~50 KB of journal: a dozen checkpoints due at 4 KB each


def report(n: int) -> Report:
    period = "2026-10" if n % 2 else "2026-11"
    return Report(f"danso:v{n}:{period}", "danso", f"18115-{n % 11 + 1:02d}", period,
                  {"sinh": n % 5}, 3, "telegram", T0 + timedelta(seconds=n))  # fmt: skip


class Writer(threading.Thread):
    """Adds reports one commit at a time until stopped; `acked` lists those add() returned."""

    def __init__(self, store: TinyDBStore) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.acked: list[str] = []
        self.stop = threading.Event()
        self.target = 0
        self.reached = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                self.store.reports.add(report(n))
                self.acked.append(report(n).id)
                if self.target and len(self.acked) >= self.target:
                    self.reached.set()
        except BaseException as exc:  # surfaced by the test
            self.error = exc
            self.reached.set()

    def wait_for(self, count: int) -> None:
        self.reached.clear()
        self.target = count
        if len(self.acked) < count:
            assert self.reached.wait(60), "the writer stalled"
        assert self.error is None, self.error


def test_a_backup_during_a_burst_restores_every_acknowledged_report(tmp_path: Path) -> None:
    """Reports stream in (a checkpoint falls due every few dozen) while the backup copies; the
    checkpoints due while it holds the lock wait, so the copy of the files plus the journal's
    complete lines restore a sound store with every report acknowledged before it began, and
    those written while it copied the files too."""
    data = tmp_path / "data"
    store = TinyDBStore(data, fsync="never", checkpoint_bytes=4096)
    writer = Writer(store)
    writer.start()
    try:
        writer.wait_for(100)
        before = list(writer.acked)  # acknowledged before the snapshot began

        def write_more() -> None:  # runs after the files are copied, before the journal is read
            writer.wait_for(len(writer.acked) + WRITES_WHILE_LOCKED)

        manifest = write_backup(data, tmp_path / "b.tar.gz", while_locked=write_more)
        writer.wait_for(len(writer.acked) + 20)  # and the store goes on after the backup
    finally:
        writer.stop.set()
        writer.join(30)
        store.close()
    assert writer.error is None
    assert manifest["schema_version"] == SCHEMA_VERSION
    restored = tmp_path / "restored"
    restore_backup(tmp_path / "b.tar.gz", restored)
    again = open_store(restored)
    assert isinstance(again, CoreStore)
    try:
        assert check_store(again) == []
        ids = set(again._core.tables["reports"].index)  # type: ignore[attr-defined]
        assert set(before) <= ids
        assert ids <= set(writer.acked)
        assert len(ids) >= len(before) + WRITES_WHILE_LOCKED
    finally:
        again.close()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    store = open_store(tmp_path / "src")
    for n in range(5):
        store.reports.add(report(n))
    store.close()
    secret = tmp_path / "src" / "link-secret"
    secret.write_bytes(b"s3cret")
    secret.chmod(0o600)
    (tmp_path / "src" / "files").mkdir()
    (tmp_path / "src" / "files" / "ab12.png").write_bytes(b"\x89PNG")
    (tmp_path / "src" / "sandbox").mkdir()  # the training district is left out
    (tmp_path / "src" / "sandbox" / "meta.json").write_text("{}")
    path = tmp_path / "ok.tar.gz"
    write_backup(tmp_path / "src", path)
    return path


def test_restore_refuses_a_directory_that_is_not_empty(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(TargetNotEmptyError, match="not empty"):
        restore_backup(archive, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    restore_backup(archive, empty)  # an existing empty folder is fine
    assert (empty / "meta.json").exists() and not (empty / "sandbox").exists()
    assert (empty / "files" / "ab12.png").read_bytes() == b"\x89PNG"
    assert (empty / "link-secret").stat().st_mode & 0o777 == 0o600


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    """A well-formed archive whose members' contents are replaced (the manifest unchanged)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            data = change.get(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_restore_refuses_a_damaged_archive(archive: Path, tmp_path: Path) -> None:
    """Flipped bytes, a file that differs from the manifest, a missing file, a path that climbs
    out: each is refused and leaves no data directory behind."""
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    flipped = tmp_path / "flipped.tar.gz"
    flipped.write_bytes(bytes(raw))
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, {"data/meta.json": b'{"meta":{}}'})
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(gzip.compress(gzip.decompress(archive.read_bytes())[:1024]))
    climbing = tmp_path / "climbing.tar.gz"
    with tarfile.open(climbing, "w:gz") as tar:
        info = tarfile.TarInfo("data/../../evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    for bad, why in [
        (flipped, "damaged"),
        (tampered, "meta.json do not match"),
        (truncated, "damaged"),
        (climbing, "unsafe path"),
    ]:
        target = tmp_path / f"into-{bad.stem}"
        with pytest.raises(BackupError, match=why):
            restore_backup(bad, target)
        assert not target.exists()
        assert not list(tmp_path.glob(".*restoring*"))
    assert not (tmp_path.parent / "evil").exists()
