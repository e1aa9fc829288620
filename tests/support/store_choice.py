"""Which store the in-process end-to-end tests run on: the embedded default, or PostgreSQL.

`BOT_TEST_STORE=postgres pytest tests/features/reports` runs the same scenarios with
`store: {backend: postgres}` in every config the harness writes (tests/support/harness.py) and
DATABASE_URL in the bot's environment, so that the bot (in the test's process or one of its
own) keeps everything in PostgreSQL. Unset, or `tinydb`, changes nothing.

Each test process (each xdist worker) has one database of its own, made and migrated when a
test first asks for it (`environ()`, through the harness's bot_environ()); every test that asks
finds it as a migration leaves it: after such a test (tests/conftest.py) the sessions its bots
left are ended and every row deleted (see `_emptying` for why not a copy of a template). The
server and the skip-or-fail rule are tests/support/pg.py's: where PostgreSQL cannot be reached
the tests that need it skip and say why; under CI they fail.

A test that reads what only the embedded store has (its files in data_dir) says so with
`@embedded_only("why")`, and skips on PostgreSQL with that reason.
"""

from __future__ import annotations

import atexit
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support import pg

if TYPE_CHECKING:
    from bot.store.base import Store

ENV = "BOT_TEST_STORE"
BACKENDS = ("tinydb", "postgres")
PREFIX = "bot_e2e"  # this module's databases: bot_e2e_<pid of the test process>_<hex>


def backend() -> str:
    """The store the end-to-end tests run on: "tinydb" (the default) or "postgres"."""
    chosen = os.environ.get(ENV, "").strip().lower() or "tinydb"
    if chosen not in BACKENDS:
        msg = f"{ENV}={chosen!r}: choose one of {', '.join(BACKENDS)}"
        raise pytest.UsageError(msg)
    return chosen


def on_postgres() -> bool:
    return backend() == "postgres"


def embedded_only(reason: str) -> pytest.MarkDecorator:
    """Mark a test that holds only for the embedded store (it reads data_dir's files, or the
    lock on it): skipped, with `reason`, when the suite runs on PostgreSQL."""
    return pytest.mark.skipif(on_postgres(), reason=f"embedded store only: {reason}")


# A restarted bot is a new instance: the one it replaces counts as alive (holding its chats'
# turns and a share of the platforms' limits) until it has been silent `dead_after_seconds`.
# The crash tests restart the bot dozens of times: beat fast, as a test cluster would.
BEATS = {"heartbeat_seconds": 0.25, "dead_after_seconds": 2.0}


def config_section() -> dict[str, Any]:
    """What a test config's `store:` holds: nothing (the default) or the PostgreSQL backend."""
    return {"backend": "postgres", **BEATS} if on_postgres() else {}


def environ() -> dict[str, str]:
    """What the bot's environment adds: on PostgreSQL, DATABASE_URL of the test's database,
    empty at the test's start (without a server the test skips here, or fails under CI)."""
    return {"DATABASE_URL": _databases.for_test()} if on_postgres() else {}


def open_configured(config_path: Path, environ: Mapping[str, str]) -> Store:
    """The store a bot started with this config and environment opens (to seed it before the
    start, or read it after the stop), opened the way the bot opens it."""
    from bot.app.store_choice import open_configured as bots_own
    from bot.config.loading import load_config

    return bots_own(load_config(config_path, environ=environ))


def end_test() -> None:
    """After each test (tests/conftest.py): empty the database if the test was given it."""
    _databases.end_test()


class _Databases:
    """This test process's database, and whether the test now running was given it."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.in_use = False
        self.emptying: list[str] = []  # statements that make it as new, in one transaction

    def for_test(self) -> str:
        if self.url is None:
            pg.require()
            self.url = self._migrated()
        self.in_use = True
        return self.url

    def end_test(self) -> None:
        """Make the database as a migration leaves it: end whatever session the test's bots
        left (a killed bot's, a pool not yet closed; their locks go with them), then delete
        every row (alembic's mark aside) and restart the sequences."""
        if not self.in_use or self.url is None:
            return
        import psycopg

        self.in_use = False
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
            with conn.transaction():
                for sql in self.emptying:
                    conn.execute(sql)  # names read from the catalog, never from input

    def _migrated(self) -> str:
        """A new database with the store's schema (a store opened and closed on it)."""
        from bot.store import open_store

        _sweep()
        name = f"{PREFIX}_{os.getpid()}_{secrets.token_hex(4)}"
        _admin(f'create database "{name}"')
        url = pg.database_url(name)
        atexit.register(pg.drop_database, url)
        with tempfile.TemporaryDirectory(prefix="pgsuite-") as folder:
            open_store(Path(folder), backend="postgres", url=url).close()
        self.emptying = _emptying(url)
        self.url, self.in_use = url, True
        self.end_test()  # the rows the first open wrote (the records' schema version)
        return url


_databases = _Databases()


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg.server_url(), autocommit=True) as conn:
        conn.execute(sql)  # names made here, never from input


def _emptying(url: str) -> list[str]:
    """DELETE of every table, those that refer to others first (a foreign key never stops it),
    and RESTART of every sequence. Measured on this schema (31 tables, 2 cores): about 7 ms, or
    30 ms with the connection and the end of the sessions left; TRUNCATE of the same tables takes
    about 330 ms (a new file for each), a fresh copy of a migrated template (CREATE DATABASE ...
    TEMPLATE, then DROP DATABASE, which forces a checkpoint) from 100 ms to over a second."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "select tablename from pg_tables where schemaname = 'public' "
                "and tablename <> 'alembic_version' order by tablename"
            )
        ]
        refers = conn.execute(
            "select c.conrelid::regclass::text, c.confrelid::regclass::text from pg_constraint c "
            "where c.contype = 'f' and c.conrelid <> c.confrelid"
        ).fetchall()
        sequences = [
            str(row[0])
            for row in conn.execute(
                "select sequencename from pg_sequences where schemaname = 'public'"
            )
        ]
    order: list[str] = []
    while len(order) < len(tables):  # a table once nothing left refers to it
        left = [t for t in tables if t not in order]
        free = [t for t in left if not any(b == t and a in left and a != t for a, b in refers)]
        order += free or left  # a cycle (none today): DELETE order cannot help it anyway
    return [f'delete from "{t}"' for t in order] + [
        f'alter sequence "{q}" restart' for q in sequences
    ]


def _sweep() -> None:
    """Drop this module's databases left by test processes that are gone (killed runs)."""
    import psycopg

    with psycopg.connect(pg.server_url(), autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select datname from pg_database where datname like %s", (f"{PREFIX}\\_%",)
            )
        ]
    for name in names:
        pid = name.split("_")[2] if name.count("_") >= 3 else ""
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            pg.drop_database(pg.database_url(name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
