"""Fixtures of the store tests: a store of each backend, reopened on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import open_store
from tests.store.harness import Harness


@pytest.fixture
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """A store of kind memory, tinydb, or tinydb-reopened (each reopen() closes and reopens)."""
    kind: str = request.param
    backend = "memory" if kind == "memory" else "tinydb"
    h = Harness(kind, tmp_path / "data", open_store(tmp_path / "data", backend=backend))
    yield h
    h.store.close()
