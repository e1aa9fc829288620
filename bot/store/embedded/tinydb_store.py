"""The embedded default store: TinyDB-format JSON checkpoints plus an append-only commit journal.

Why not TinyDB's own write path: its JSONStorage rewrites the whole file on every write and its
Table rebuilds the table dict, so a write costs O(history) (~135 ms per insert at 50k documents)
and a crash mid-write can leave a torn file. Here the state lives in memory, each commit is one
journal line, and checkpoints rewrite only what changed, in TinyDB's file layout, atomically.

Durability (see journal.py): a method that returned survives a process crash, always. It survives
power loss or a kernel crash with fsync="always"; with "batch" all but the last ~50 ms survive;
with "never" only what the last checkpoint wrote. Writes inside one atomic() block are one
journal line: after any crash they are all there or none is. Files are never torn: checkpoint
files are replaced by rename after fsync, and a torn last journal line is ignored at start-up.

Layout of the data directory (every *.json except the index files opens with tinydb.TinyDB):
  store.lock                 flock held while open (the kernel releases it if the process dies)
  checkpoint.lock            flock held around each checkpoint; a backup holds it shared
  backups/                   pre-migration-v<N>-<time>.tar.gz, written before a schema migration
  journal.jsonl              {"ops": [[table, key, document | null], ...]} per commit
  <table>.json               {table: {doc_id: document}} for people, meta, groups, …
  reports/<period>.<type>.json      {"reports": {doc_id: document}}: every version in that shard
  reports/<period>.<type>.idx.json  {"period", "type", "ids", "versions", "areas", "reporters",
                                     "received"}: the shard's index rows as columns
  outbox/<job id>.json              {"outbox": {item id: document}}: one job's items
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from bot.core.file_writes import private_dir, tighten_tree
from bot.store.base import SCHEMA_VERSION, FsyncPolicy, StoreCorruptError, StoreError
from bot.store.embedded.atomic import (
    CheckpointLock,
    DirLock,
    dumps,
    fsync_dir,
    remove_leftovers,
    write_json_atomic,
)
from bot.store.embedded.backup import CHECKPOINT_LOCK, backup_before_migration
from bot.store.embedded.journal import POLICIES, Journal, read_journal
from bot.store.embedded.outbox_files import checkpoint_outbox, load_outbox
from bot.store.embedded.shards import ShardedReportTable, read_json
from bot.store.engine.codec import decode, encode
from bot.store.engine.outbox_table import OutboxTable
from bot.store.engine.tables import SPECS, AnyTable, Table, key_from_json, key_to_json
from bot.store.engine.transaction import Core, Op
from bot.store.maintenance.migrations import MigrationContext, fill_pending_names, migrate
from bot.store.repos.core_store import CoreStore, make_tables, stored_schema

log = logging.getLogger(__name__)

LOCK_NAME = "store.lock"
JOURNAL_NAME = "journal.jsonl"
# Tables kept whole in one <table>.json each; reports and outbox items have their own files.
SMALL_TABLES = tuple(name for name in SPECS if name not in ("reports", "outbox"))
# Tables whose int keys become TinyDB doc ids, so `get(doc_id=12)` finds record 12.
ID_TABLES = (
    "people",
    "registrations",
    "outbox_jobs",
    "directives",
    "reminders",
    "questions",
    "handbook",
    "clarifications",
    "sightings",
    "surveys",
    "audit",
    "access_log",
    "webhook_deliveries",
    "report_returns",
    "absences",
)


class TinyDBStore(CoreStore):
    """The store of one data directory; opening it takes the directory's lock."""

    def __init__(
        self,
        data_dir: Path,
        *,
        fsync: FsyncPolicy = "batch",
        checkpoint_bytes: int = 8 << 20,
        shard_cache: int = 16,
        migration: MigrationContext | None = None,
    ) -> None:
        """`migration`: what schema migrations need from the config (see bot.store.maintenance)."""
        if fsync not in POLICIES:
            msg = f"fsync must be one of {POLICIES}, not {fsync!r}"
            raise ValueError(msg)
        self.data_dir = data_dir
        private_dir(data_dir)
        self._lock = DirLock(data_dir / LOCK_NAME)
        self._checkpoint_lock = CheckpointLock(data_dir / CHECKPOINT_LOCK)
        self._migration = migration or MigrationContext()
        self._journal: Journal | None = None
        self._checkpoint_bytes = checkpoint_bytes
        self._next_checkpoint = checkpoint_bytes
        self._dirty: set[str] = set()
        try:
            self._open(fsync, shard_cache)
        except BaseException:
            if self._journal is not None:
                self._journal.close()
            self._checkpoint_lock.close()
            self._lock.release()
            raise

    def _open(self, fsync: FsyncPolicy, shard_cache: int) -> None:
        if tightened := tighten_tree(self.data_dir):
            log.warning(
                "%d files and folders in %s were readable by other users (written under a "
                "loose umask); made them private to the bot's user",
                tightened, self.data_dir,
            )  # fmt: skip
        remove_leftovers(self.data_dir)
        self._reports = ShardedReportTable(self.data_dir / "reports", cache_size=shard_cache)
        remove_leftovers(self._reports.folder)
        self._outbox_dir = self.data_dir / "outbox"
        private_dir(self._outbox_dir)
        remove_leftovers(self._outbox_dir)
        self._outbox = OutboxTable(SPECS["outbox"], track_changes=True)
        tables = make_tables(reports=self._reports, outbox=self._outbox)
        for name in SMALL_TABLES:
            self._load_table(tables[name])
        self._reports.load_index()
        load_outbox(self._outbox_dir, self._outbox)
        stored_schema(tables, str(self.data_dir))  # refuse a newer layout before reading more
        journal_path = self.data_dir / JOURNAL_NAME
        replay = read_journal(journal_path)
        for entry in replay.entries:
            self._apply(tables, entry["ops"])
        version = stored_schema(tables, str(self.data_dir))
        backup = ""
        if version is not None and version < SCHEMA_VERSION:
            # Before anything here is written: the archive holds the files as the old program
            # left them (journal included), restorable with `python -m bot restore`.
            path = backup_before_migration(self.data_dir, version, self._migration.now())
            backup = str(path)
            log.info("store %s: schema version %d, backed up to %s", self.data_dir, version, path)
        if replay.entries:
            log.info("store %s: replayed %d commits", self.data_dir, len(replay.entries))
        if replay.torn:
            # Cut what follows the last good commit before anything is appended after it.
            os.truncate(journal_path, replay.good)
        self._journal = Journal(journal_path, fsync=fsync)
        super().__init__(Core(tables, persist=self._persist, after_commit=self._after_commit))
        if version is not None:
            migrate(self, version, self._migration, backup=backup)  # one commit, or nothing
        fill_pending_names(self, self._migration)
        if replay.size or self._dirty or self._reports.dirty or self._outbox.changed:
            # Fold the replayed commits into the checkpoint files and start an empty journal
            # (a torn last line was cut above, before anything is appended after it).
            try:
                self.checkpoint()
            except OSError as exc:
                # A full or failing disk: the journal still holds every commit, and opening
                # read-mostly beats a restart loop; the bot reports that it cannot write.
                log.error("store %s: checkpoint at open failed (%s); the journal keeps every "
                          "commit until one succeeds", self.data_dir, exc)  # fmt: skip

    def _load_table(self, table: AnyTable) -> None:
        assert isinstance(table, Table)
        path = self.data_dir / f"{table.spec.name}.json"
        if not path.exists():
            return
        for doc in read_json(path).get(table.spec.name, {}).values():
            record = decode(table.spec.record, doc)
            table.set(table.spec.key_of(record), record)

    def _apply(self, tables: dict[str, AnyTable], ops: list[Any]) -> None:
        for name, raw_key, doc in ops:
            spec = SPECS.get(name)
            if spec is None:
                msg = f"journal of {self.data_dir} names an unknown table {name!r}"
                raise StoreCorruptError(msg)
            value = None if doc is None else decode(spec.record, doc)
            tables[name].set(key_from_json(raw_key), value)
            if name in SMALL_TABLES:
                self._dirty.add(name)

    def _persist(self, ops: list[Op]) -> None:
        assert self._journal is not None
        self._journal.append(dumps({"ops": [[t, key_to_json(k), doc] for t, k, doc in ops]}))
        self._dirty.update(t for t, _, _ in ops if t in SMALL_TABLES)

    def _after_commit(self) -> None:
        assert self._journal is not None
        if self._journal.size < self._next_checkpoint:
            return
        try:
            # A backup copying the files holds the lock: try again at the next commit.
            self.checkpoint(wait=False)
        except Exception:
            # The commit is safe in the journal; try again after another batch of writes.
            log.exception("store checkpoint failed; the journal keeps growing until one succeeds")
            self._next_checkpoint = self._journal.size + self._checkpoint_bytes

    def checkpoint(self, *, wait: bool = True) -> bool:
        """Write what changed since the last checkpoint to the table and shard files, then empty
        the journal. Runs by itself when the journal passes `checkpoint_bytes`, at open and close;
        a scheduler may also call it at a quiet hour. Holds checkpoint.lock, so a backup never
        copies half a checkpoint; with wait=False it returns False at once while one copies."""
        if self._core.in_transaction:
            msg = "checkpoint() cannot run inside atomic()"
            raise StoreError(msg)
        assert self._journal is not None
        if not self._checkpoint_lock.acquire(exclusive=True, wait=wait):
            return False
        try:
            self._write_checkpoint()
        finally:
            self._checkpoint_lock.release()
        return True

    def _write_checkpoint(self) -> None:
        assert self._journal is not None
        for name in sorted(self._dirty):
            table = self._core.tables[name]
            assert isinstance(table, Table)
            docs = [encode(record) for record in table.values()]
            ids = list(table.rows) if name in ID_TABLES else range(1, len(docs) + 1)
            write_json_atomic(
                self.data_dir / f"{name}.json",
                {name: {str(doc_id): doc for doc_id, doc in zip(ids, docs, strict=True)}},
            )
        self._reports.checkpoint()
        checkpoint_outbox(self._outbox_dir, self._outbox)
        fsync_dir(self._reports.folder)
        fsync_dir(self._outbox_dir)
        fsync_dir(self.data_dir)
        # Only now is every journaled commit durable elsewhere.
        self._journal.reset()
        self._dirty.clear()
        self._next_checkpoint = self._checkpoint_bytes

    def flush(self) -> None:
        if self._journal is not None:
            self._journal.sync()

    def close(self) -> None:
        if self._core.closed:
            return
        self._core.closed = True
        try:
            self.checkpoint()
        except Exception:
            log.exception("store checkpoint at close failed; the journal keeps every commit")
        finally:
            assert self._journal is not None
            self._journal.close()
            self._checkpoint_lock.close()
            self._lock.release()
