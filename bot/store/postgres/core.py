"""The transaction core over PostgreSQL: the surface of bot.store.engine.transaction.Core
(tables, get, put, atomic) with each atomic() block one transaction, so the repositories
written once over the core run here unchanged, and counters that two processes can share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot.store.base import StoreError
from bot.store.engine.codec import encode
from bot.store.engine.tables import Key
from bot.store.postgres.connection import Database
from bot.store.postgres.tables import PgTable

# The next value of a counter kept in meta, raised atomically (a row lock, held to the commit,
# orders the writers): `floor` is where a missing counter starts (SQL, e.g. past the highest
# id already stored).
_COUNT = (
    "INSERT INTO meta (key, doc) VALUES (%(key)s, jsonb_build_object('key', %(key)s::text, "
    "'value', ({floor}) + %(n)s::bigint)) ON CONFLICT (key) DO UPDATE SET doc = jsonb_set("
    "meta.doc, '{{value}}', to_jsonb((meta.doc->>'value')::bigint + %(n)s::bigint)) "
    "RETURNING (doc->>'value')::bigint"
)
_RAISE = (
    "INSERT INTO meta (key, doc) VALUES (%(key)s, jsonb_build_object('key', %(key)s::text, "
    "'value', greatest(({floor}), %(at_least)s::bigint))) ON CONFLICT (key) DO UPDATE SET "
    "doc = jsonb_set(meta.doc, '{{value}}', to_jsonb(greatest((meta.doc->>'value')::bigint, "
    "%(at_least)s::bigint)))"
)


# The same, for a counter that exists (nearly always): the floor, which may read a whole table,
# is evaluated only when the counter row is missing.
_BUMP = (
    "UPDATE meta SET doc = jsonb_set(doc, '{value}', to_jsonb((doc->>'value')::bigint + "
    "%(n)s::bigint)) WHERE key = %(key)s RETURNING (doc->>'value')::bigint"
)
_LIFT = (
    "UPDATE meta SET doc = jsonb_set(doc, '{value}', to_jsonb(greatest((doc->>'value')::bigint, "
    "%(at_least)s::bigint))) WHERE key = %(key)s"
)


class PgCore:
    """Writes go to the database at once; atomic() is one transaction (nested: a savepoint),
    a write outside any block its own. Nothing is held in memory between calls."""

    def __init__(self, db: Database, tables: Mapping[str, PgTable]) -> None:
        self.db = db
        self.tables = tables

    @property
    def closed(self) -> bool:
        return self.db.closed

    @property
    def in_transaction(self) -> bool:
        return self.db.depth > 0

    def get(self, table: str, key: Key) -> Any:
        return self.tables[table].get(key)

    def put(self, table: str, key: Key, value: Any) -> None:
        """Store `value` under `key` (None deletes); committed now unless inside atomic()."""
        if self.closed:
            msg = "the store is closed"
            raise StoreError(msg)
        # Encode first: a record that cannot be stored fails before anything is sent.
        doc = None if value is None else encode(value)
        self.tables[table].write(key, value, doc)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # -- counters -----------------------------------------------------------------------------

    def counter(self, key: str, count: int, *, floor: str = "1") -> int:
        """Take `count` values in a row from the counter `key` (in meta); the first of them."""
        params = {"key": key, "n": count}
        row = self.db.one(_BUMP, params) or self.db.one(_COUNT.format(floor=floor), params)
        assert row is not None
        return int(row[0]) - count

    def raise_counter(self, key: str, at_least: int, *, floor: str = "1") -> None:
        """Make sure the counter `key` gives no value below `at_least` from now on."""
        params = {"key": key, "at_least": at_least}
        if self.db.execute(_LIFT, params).rowcount == 0:
            self.db.execute(_RAISE.format(floor=floor), params)

    def allocate(self, table: str, count: int = 1) -> int:
        """The first of `count` new ids of `table` (next_id's counter, shared by every
        process): never given twice, not even by two instances at once."""
        column = self.tables[table].keys[0]
        floor = f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"
        return self.counter(f"next_id.{table}", count, floor=floor)
