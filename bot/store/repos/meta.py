"""Named settings and counters, and the short ids of every table kept as counters there."""

from __future__ import annotations

import copy
from typing import Any, cast

from bot.store.engine.codec import native
from bot.store.engine.tables import MetaEntry, Table
from bot.store.engine.transaction import Core


def next_id(core: Core, table: str, count: int = 1) -> int:
    """The next short id of `table` (the first of `count` in a row), kept in meta so it moves
    in the same commit as the records; ids are never reused, even after a delete. A core that
    several processes share (PostgreSQL) allocates them itself, atomically."""
    allocate = getattr(core, "allocate", None)
    if allocate is not None:  # a core shared by several processes keeps its own counters
        return int(allocate(table, count))
    counter = f"next_id.{table}"
    entry: MetaEntry | None = core.get("meta", counter)
    if entry is None:
        rows = cast(Table, core.tables[table]).rows
        value = max((int(k) for k in rows), default=0) + 1  # type: ignore[call-overload]
    else:
        value = int(entry.value)
    core.put("meta", counter, MetaEntry(counter, value + count))
    return value


class MetaRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["meta"])

    def get(self, key: str, default: Any = None) -> Any:
        entry: MetaEntry | None = self._table.get(key)
        # A copy: a caller mutating a list it read must not change the store behind its back.
        return default if entry is None else copy.deepcopy(entry.value)

    def set(self, key: str, value: Any) -> None:
        self._core.put("meta", key, MetaEntry(key, native(value)))
