"""Record tables in PostgreSQL with the surface of the engine's in-memory tables (get, set,
values, rows), so the repositories written over the transaction core run on them unchanged.

Each table holds its key columns, the record encoded as the embedded store encodes it (`doc`,
json, in the record's own order: jsonb would sort a report's fields) and, where a query needs
them, columns taken from the record and indexed. Nothing is
cached: every call reads the database, which other instances write too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Json

from bot.store.engine.codec import decode, encode
from bot.store.engine.tables import Key, TableSpec
from bot.store.postgres.connection import Database

# Columns taken from a record, by name: how to compute each from the record.
Extract = Mapping[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class Layout:
    """How one kind of record sits in its table: key columns and extra indexed columns."""

    keys: tuple[str, ...] = ("id",)
    columns: Extract = field(default_factory=dict)


def _outbox_columns() -> Extract:
    return {
        "job_id": lambda i: i.job_id,
        "chat_key": lambda i: i.chat_key,
        "status": lambda i: i.status.value,
        "next_attempt_at": lambda i: i.next_attempt_at,
        "created_at": lambda i: i.created_at,
        "claimed_by": lambda i: i.claimed_by,
        "recipient": lambda i: i.recipient,
    }


# Tables with their own class (own_tables.py) and the intake (inbound.py) are not listed here.
LAYOUTS: dict[str, Layout] = {
    "meta": Layout(("key",)),
    "registrations": Layout(),
    "groups": Layout(("chat_key",)),
    "link_codes": Layout(("code",)),
    "prompts": Layout(("chat_key", "user_key")),
    "outbox": Layout(columns=_outbox_columns()),
    "outbox_jobs": Layout(),
    "quota": Layout(("bot", "month")),
    "directives": Layout(),
    "acks": Layout(("directive_id", "person_id")),
    "reminders": Layout(),
    "questions": Layout(),
    "handbook": Layout(),
    "clarifications": Layout(),
    "sightings": Layout(),
    "surveys": Layout(),
    "survey_answers": Layout(("survey_id", "voter")),
    "audit": Layout(),
    "access_log": Layout(),
    "invites": Layout(("code",)),
    "webhook_deliveries": Layout(),
    "report_returns": Layout(("number",)),
    "period_checks": Layout(("area", "period")),
    "absences": Layout(),
}


def key_params(key: Key) -> list[Any]:
    return list(key) if isinstance(key, tuple) else [key]


class PgTable:
    """One kind of record in its table: key columns, extra columns, and the record as `doc`
    (json, written in the record's own order)."""

    def __init__(self, db: Database, spec: TableSpec, layout: Layout) -> None:
        self.db = db
        self.spec = spec
        self.name = spec.name
        self.keys = layout.keys
        self.columns = layout.columns
        self._where = " AND ".join(f"{k} = %s" for k in self.keys)
        cols = (*self.keys, *self.columns, "doc")
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*self.columns, "doc"))
        slots = ", ".join(["%s"] * len(cols))
        self._upsert = (
            f"INSERT INTO {self.name} ({', '.join(cols)}) VALUES ({slots}) "
            f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {updates}"
        )
        self._order = ", ".join(self.keys)

    # -- the engine's table surface -----------------------------------------------------------

    def get(self, key: Key) -> Any:
        row = self.db.one(f"SELECT doc FROM {self.name} WHERE {self._where}", key_params(key))
        return None if row is None else self.decode(row[0])

    def set(self, key: Key, value: Any) -> None:
        self.write(key, value, None if value is None else encode(value))

    def write(self, key: Key, value: Any, doc: Any) -> None:
        """Store the record (`doc` its encoding) under `key`; None deletes."""
        if value is None:
            self.db.execute(f"DELETE FROM {self.name} WHERE {self._where}", key_params(key))
            return
        extra = [get(value) for get in self.columns.values()]
        self.db.execute(self._upsert, [*key_params(key), *extra, Json(doc)])

    def write_many(self, records: list[Any]) -> None:
        """Store many records in one batch (psycopg's pipeline: one round trip, not one each)."""
        params = [
            [*key_params(self.spec.key_of(r)), *(get(r) for get in self.columns.values()),
             Json(encode(r))]
            for r in records
        ]  # fmt: skip
        if params:
            with self.db.transaction():
                self.db.conn.cursor().executemany(self._upsert, params)

    def values(self) -> list[Any]:
        return self.where("TRUE")

    @property
    def rows(self) -> Rows:
        return Rows(self)

    # -- for the PostgreSQL repositories ------------------------------------------------------

    def decode(self, doc: Any) -> Any:
        return decode(self.spec.record, doc)

    def where(self, condition: str, params: Any = (), *, order: str = "") -> list[Any]:
        """The records passing an SQL condition, by key (or by `order`)."""
        sql = f"SELECT doc FROM {self.name} WHERE {condition} ORDER BY {order or self._order}"
        return [self.decode(doc) for (doc,) in self.db.rows(sql, params)]

    def count(self) -> int:
        return int(self.db.one(f"SELECT count(*) FROM {self.name}")[0])

    def key_list(self) -> list[Key]:
        found = self.db.rows(f"SELECT {self._order} FROM {self.name} ORDER BY {self._order}")
        return [row[0] if len(row) == 1 else tuple(row) for row in found]


class Rows(Mapping[Key, Any]):
    """A table's records by key, read from the database at each use (never a copy kept)."""

    def __init__(self, table: PgTable) -> None:
        self._table = table

    def __getitem__(self, key: Key) -> Any:
        value = self._table.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self._table.get(key) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._table.key_list())

    def __len__(self) -> int:
        return self._table.count()

    def values(self) -> list[Any]:  # type: ignore[override]
        return self._table.values()
