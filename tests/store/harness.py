"""The store-under-test wrapper the contract tests share, so a case can check persistence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.store import Store, open_store

# Every backend, and the persistent ones once more with a reopen() that really reopens.
KINDS = ["memory", "tinydb", "tinydb-reopened", "postgres", "postgres-reopened"]


@dataclass
class Harness:
    """A store under test; `reopen()` closes and reopens it when the case checks persistence."""

    kind: str
    path: Path
    store: Store
    url: str = ""  # the database of the postgres kinds

    @property
    def backend(self) -> str:
        return self.kind.split("-")[0]

    @property
    def on_disk(self) -> bool:
        """Whether the store is files in `path` (the embedded backend)."""
        return self.backend == "tinydb"

    @property
    def persistent(self) -> bool:
        """Whether what is written outlives the store object (a reopen reads it back)."""
        return self.backend != "memory"

    def open_again(self) -> Store:
        """Another store on the same data, as a second process would open it."""
        if self.backend == "postgres":
            return open_store(backend="postgres", url=self.url)
        return open_store(self.path)

    def reopen(self) -> Store:
        if self.kind.endswith("-reopened"):
            self.store.close()
            self.store = self.open_again()
        return self.store


def empty_database(url: str) -> None:
    """Every table of the store's database emptied (its schema stays): one database serves a
    whole module or session, emptied between tests, since creating one costs far more."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        # DELETE, not TRUNCATE: on a few rows it is a hundred times quicker.
        conn.execute("; ".join(f"DELETE FROM {name}" for name in tables))
