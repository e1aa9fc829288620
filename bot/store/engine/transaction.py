"""The transaction core of the in-memory engine: writes in memory, undo on failure, one commit a
block, handed to the backend to persist."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot.store.base import StoreError
from bot.store.engine.codec import encode
from bot.store.engine.tables import AnyTable, Key

log = logging.getLogger(__name__)

# (table, key, encoded record or None for a delete): what a backend persists for one write.
Op = tuple[str, Key, Any]


class Core:
    """Applies writes to the in-memory tables at once (so a block reads its own writes) and hands
    them to `persist` together when the outermost atomic() block ends.

    A write outside any block is its own block. If the block raises, or `persist` fails, every
    write of the block is undone in memory, so memory never holds what was not acknowledged.
    """

    def __init__(
        self,
        tables: Mapping[str, AnyTable],
        *,
        persist: Callable[[list[Op]], None] | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.tables = tables
        self._persist = persist
        self._after_commit = after_commit
        self._ops: list[Op] = []
        self._undo: list[tuple[str, Key, Any]] = []
        self._depth = 0
        self.closed = False

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def get(self, table: str, key: Key) -> Any:
        return self.tables[table].get(key)

    def put(self, table: str, key: Key, value: Any) -> None:
        """Store `value` under `key` (None deletes); committed now unless inside atomic()."""
        if self.closed:
            msg = "the store is closed"
            raise StoreError(msg)
        # Encode first: a record that cannot be stored fails before anything changes.
        doc = None if value is None else encode(value)
        target = self.tables[table]
        old = target.get(key)
        target.set(key, value)
        self._ops.append((table, key, doc))
        self._undo.append((table, key, old))
        if self._depth == 0:
            self._commit()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        mark = len(self._ops)
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            self._rollback(mark)
            raise
        self._depth -= 1
        if self._depth == 0:
            self._commit()

    def _commit(self) -> None:
        if not self._ops:
            return
        try:
            if self._persist is not None:
                self._persist(self._ops)
        except BaseException:
            self._rollback(0)
            raise
        self._ops = []
        self._undo = []
        if self._after_commit is not None:
            self._after_commit()

    def _rollback(self, mark: int) -> None:
        for table, key, old in reversed(self._undo[mark:]):
            self.tables[table].set(key, old)
        del self._ops[mark:]
        del self._undo[mark:]
