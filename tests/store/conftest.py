"""Fixtures of the store tests: a store of each backend, reopened on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import open_store
from tests.store.harness import Harness, empty_database
from tests.support import pg


@pytest.fixture(scope="session")
def pg_store_url() -> Iterator[str]:
    """One PostgreSQL database for the store tests of this process (xdist: of this worker),
    emptied before each test; skipped (failed under CI) where PostgreSQL cannot be reached."""
    url = pg.create_database("bot_store")
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """A store of kind memory, tinydb, tinydb-reopened, postgres or postgres-reopened (each
    reopen() of a -reopened kind closes the store and opens a new one on the same data)."""
    kind: str = request.param
    if kind.startswith("postgres"):
        url: str = request.getfixturevalue("pg_store_url")
        empty_database(url)
        h = Harness(kind, tmp_path / "data", open_store(backend="postgres", url=url), url=url)
    else:
        backend = "memory" if kind == "memory" else "tinydb"
        h = Harness(kind, tmp_path / "data", open_store(tmp_path / "data", backend=backend))
    yield h
    h.store.close()
