"""The store-under-test wrapper the contract tests share, so a case can check persistence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.store import Store, open_store


@dataclass
class Harness:
    """A store under test; `reopen()` closes and reopens it when the case checks persistence."""

    kind: str
    path: Path
    store: Store

    @property
    def on_disk(self) -> bool:
        return self.kind != "memory"

    def reopen(self) -> Store:
        if self.kind == "tinydb-reopened":
            self.store.close()
            self.store = open_store(self.path)
        return self.store
