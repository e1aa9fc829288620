"""The PostgreSQL store's schema and connection: Alembic brings an empty database to head (two
instances starting at once included), a newer database is refused, the uniqueness rules are
constraints, a lost connection is a write the store could not make (and the next call
connects again), and the URL's password is never in a message."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from bot.store import StoreVersionError, StoreWriteError, open_store
from bot.store.postgres.connection import DatabaseUnavailableError, safe_url
from bot.store.postgres.schema import HEAD_REVISION, head_revision
from bot.store.postgres.store import PostgresStore
from tests.store.harness import empty_database
from tests.support import pg

T0 = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


@pytest.fixture
def fresh_url() -> Iterator[str]:
    url = pg.create_database("bot_schema")
    try:
        yield url
    finally:
        pg.drop_database(url)


def test_the_head_constant_is_alembics_head() -> None:
    assert HEAD_REVISION == head_revision()


def test_two_instances_starting_together_migrate_once(fresh_url: str) -> None:
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def open_one() -> None:
        start.wait()
        try:
            stores.append(PostgresStore(fresh_url))
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(stores) == 2
    with psycopg.connect(fresh_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables "
                                             "WHERE schemaname = 'public'")}  # fmt: skip
    assert {"reports", "outbox", "intake", "instances", "chat_turns", "reminder_firings"} <= tables
    assert stores[0].schema_version == stores[1].schema_version == 3
    for store in stores:
        store.close()
        store.close()  # idempotent


def test_a_database_of_a_newer_program_is_refused(fresh_url: str) -> None:
    open_store(backend="postgres", url=fresh_url).close()
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    with_password = fresh_url.replace("postgres@", "postgres:s3cret-pw@")
    with pytest.raises(StoreVersionError, match="0099_future") as refused:
        open_store(backend="postgres", url=with_password)
    assert "s3cret-pw" not in str(refused.value)


def test_uniqueness_is_a_constraint_of_the_database(pg_store_url: str) -> None:
    """Written past the repositories, a second copy is still refused by the database."""
    empty_database(pg_store_url)
    open_store(backend="postgres", url=pg_store_url).close()
    twice = [
        "INSERT INTO intake (key, received_at) VALUES ('telegram::message:1', now())",
        "INSERT INTO acks (directive_id, person_id, doc) VALUES (1, 2, '{}')",
        "INSERT INTO reminder_firings (reminder_id, due_at, fired_at) "
        "VALUES (1, '2026-11-24T08:30+07', now())",
        "INSERT INTO survey_answers (survey_id, voter, doc) VALUES (1, 'person:2', '{}')",
    ]
    with psycopg.connect(pg_store_url, autocommit=True) as conn:
        conn.execute("INSERT INTO people (id, doc) VALUES (1, '{}'), (2, '{}')")
        conn.execute("INSERT INTO accounts (key, person_id) VALUES ('telegram:42', 1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO accounts (key, person_id) VALUES ('telegram:42', 2)")
        for sql in twice:
            with conn.transaction():
                conn.execute(sql)
            with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
                conn.execute(sql)
        insert = (
            "INSERT INTO reports (id, version, number, type, period, area, reporter, "
            "received_at, doc, head) VALUES (%s, 1, 7, 'sinh', '2026-11', 'a', 1, now(), '{}', "
            "true)"
        )
        conn.execute(insert, ["r1"])
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, ["r2"])  # number 7 is r1's


def test_a_lost_connection_is_a_refused_write_then_comes_back(pg_store_url: str) -> None:
    empty_database(pg_store_url)
    store = open_store(backend="postgres", url=pg_store_url)
    try:
        store.meta.set("k", 1)
        _kill(store, pg_store_url)
        with pytest.raises(StoreWriteError) as refused:
            store.meta.set("k", 2)
        assert isinstance(refused.value, DatabaseUnavailableError)
        store.meta.set("k", 3)  # the next call outside a transaction connects again
        assert store.meta.get("k") == 3
        with pytest.raises(DatabaseUnavailableError), store.atomic():
            store.meta.set("k", 4)
            _kill(store, pg_store_url)
            store.meta.set("k", 5)
        assert store.meta.get("k") == 3, "the transaction was lost whole"
    finally:
        store.close()


def test_an_unreachable_server_is_named_without_the_password() -> None:
    url = "postgresql://bot:s3cret-pw@127.0.0.1:1/danso"
    with pytest.raises(DatabaseUnavailableError) as refused:
        open_store(backend="postgres", url=url)
    logged = "".join(traceback.format_exception(refused.value))  # what a log would show
    assert "s3cret-pw" not in logged
    assert "postgresql://bot@127.0.0.1:1/danso" in str(refused.value)
    assert safe_url("host=db.example password=s3cret-pw user=bot dbname=danso") == (
        "postgresql://bot@db.example/danso"
    )


def _kill(store: object, url: str) -> None:
    """End the store's server process, as a restart or a network cut would."""
    pid = store._db.conn.info.backend_pid  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])
