"""The intake in PostgreSQL: one row per platform update in the table `intake`, from the moment
it is taken in until purged long after it was handled. Its primary key decides "taken in once"
(INSERT … ON CONFLICT DO NOTHING), for any two instances and however late the repeat comes."""

from __future__ import annotations

from datetime import datetime

from psycopg.types.json import Json

from bot.core.messages import Incoming
from bot.store.engine.codec import decode, encode
from bot.store.postgres.core import PgCore


class PgInboundRepo:
    def __init__(self, core: PgCore) -> None:
        self._db = core.db

    def seen(self, key: str) -> bool:
        row = self._db.one("SELECT handled_at IS NOT NULL FROM intake WHERE key = %s", [key])
        return bool(row is not None and row[0])

    def mark(self, key: str, *, at: datetime) -> None:
        # The event itself is dropped once handled: the key is all that must stay.
        self._db.execute(
            "INSERT INTO intake (key, received_at, handled_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET handled_at = excluded.handled_at, incoming = NULL",
            [key, at, at],
        )

    def receive(self, key: str, incoming: Incoming, *, at: datetime) -> bool:
        doc = Json(encode(incoming))
        taken = self._db.execute(
            "INSERT INTO intake (key, chat_key, sender, received_at, incoming) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
            [key, incoming.chat.key, incoming.sender.key, at, doc],
        )
        return taken.rowcount == 1

    def waiting(self) -> list[Incoming]:
        found = self._db.rows(
            "SELECT incoming FROM intake WHERE handled_at IS NULL AND incoming IS NOT NULL "
            "ORDER BY seq"
        )
        return [decode(Incoming, doc) for (doc,) in found]

    def ahead(self, chat_key: str, key: str) -> list[Incoming]:
        found = self._db.rows(
            "SELECT i.incoming FROM intake i, intake own WHERE own.key = %s "
            "AND own.handled_at IS NULL AND i.chat_key = %s AND i.handled_at IS NULL "
            "AND i.incoming IS NOT NULL AND i.seq < own.seq ORDER BY i.seq",
            [key, chat_key],
        )
        return [decode(Incoming, doc) for (doc,) in found]

    def purge(self, *, before: datetime) -> int:
        gone = self._db.execute("DELETE FROM intake WHERE handled_at < %s", [before])
        return int(gone.rowcount)
