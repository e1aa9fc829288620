"""PostgreSQL for tests: a throwaway database of its own, or a skip that says why.

The server is TEST_PG_URL (default: the local one every development machine and CI run has,
trust authentication). Where it cannot be reached the tests that need it skip and say so; under
CI (`CI` set) they fail instead, so a missing server is never mistaken for a green run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get("TEST_PG_URL", DEFAULT_URL)


@cache
def unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a dependency
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(server_url(), connect_timeout=3, autocommit=True) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {_safe(server_url())}: {first}"
    return None


def require() -> None:
    """Skip the calling test (fail it under CI) when PostgreSQL cannot be used."""
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)


def database_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(prefix: str = "bot_test") -> str:
    """A new empty database; returns its URL."""
    import psycopg

    require()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return database_url(name)


def drop_database(url: str) -> None:
    """Drop the database at `url`, whoever is still connected to it."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database for one test, dropped after it."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))
