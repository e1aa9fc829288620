"""The store: `open_store()` and the interface services depend on (see bot.store.base).

Layout: what every backend provides is in `base` (the Store, its errors, SCHEMA_VERSION) and
`interface` (the repository Protocols). `engine` holds records in memory (tables, indexes, codec,
the transaction core) and `repos` the repositories written once over it; the backends built on
them are `memory` (persists nothing) and `embedded` (a data directory: journal, checkpoints,
report shards, backups). `postgres` is the server backend: the same repositories over a core
whose tables are PostgreSQL's, for several instances sharing one database. `maintenance`
migrates an older store and checks a whole one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.store.base import (
    SCHEMA_VERSION,
    DuplicateKeyError,
    FsyncPolicy,
    Store,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
    StoreWriteError,
)

BACKENDS = ("tinydb", "memory", "postgres")

__all__ = [
    "BACKENDS",
    "SCHEMA_VERSION",
    "DuplicateKeyError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreVersionError",
    "StoreWriteError",
    "open_store",
]


def open_store(
    data_dir: Path | None = None,
    *,
    backend: str = "tinydb",
    url: str | None = None,
    fsync: FsyncPolicy = "batch",
    checkpoint_bytes: int = 8 << 20,
    area_names: Mapping[str, str] | None = None,
) -> Store:
    """Open the store kept in `data_dir` (created if missing); "memory" ignores the directory,
    "postgres" too: it opens the database at `url` (DATABASE_URL: it may hold a password, which
    no message or log repeats), bringing its schema up to date.

    fsync: "always" (each commit survives power loss), "batch" (fsync every ~50 ms, the default)
    or "never" (process crashes only). `checkpoint_bytes`: journal size that triggers a checkpoint.
    `area_names` (code -> name, from the config's tree): for migrating a store written by an
    older schema (reports keep their village's name); see bot/store/maintenance/migrations.py.
    """
    # Imported here so that importing bot.store (for the Protocols) stays light.
    if backend == "postgres":
        if not url:
            msg = "the postgres store needs the database's URL (DATABASE_URL)"
            raise ValueError(msg)
        from bot.store.postgres.store import PostgresStore

        return PostgresStore(url)
    if backend == "tinydb":
        if data_dir is None:
            msg = "the tinydb store needs its data directory"
            raise ValueError(msg)
        from bot.store.embedded.tinydb_store import TinyDBStore
        from bot.store.maintenance.migrations import MigrationContext

        return TinyDBStore(
            Path(data_dir),
            fsync=fsync,
            checkpoint_bytes=checkpoint_bytes,
            migration=MigrationContext(area_names=area_names),
        )
    if backend == "memory":
        from bot.store.memory import MemoryStore

        return MemoryStore()
    msg = f"unknown store backend {backend!r}; choose one of {BACKENDS}"
    raise ValueError(msg)
