"""The "memory" backend: every repository over a transaction core that persists nothing.

For tests: records are encoded at every write as the embedded backend does, so a record it
accepts is one the disk would accept too.
"""

from __future__ import annotations

from bot.store.engine.transaction import Core
from bot.store.repos.core_store import CoreStore, make_tables


class MemoryStore(CoreStore):
    """Everything in memory, nothing on disk; records are checked as the disk backend does."""

    def __init__(self) -> None:
        super().__init__(Core(make_tables()))
