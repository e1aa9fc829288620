"""One connection to PostgreSQL for a store: autocommit outside atomic(), one transaction inside
(a nested block is a savepoint), errors in the store's terms, a new connection on the next call
after the server went away. The URL may hold a password: it is never in a message or a log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict

from bot.store.base import DuplicateKeyError, StoreError, StoreWriteError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10  # seconds to reach the server before the write is refused


class DatabaseUnavailableError(StoreWriteError):
    """The PostgreSQL server cannot be reached, refused the connection or dropped it: nothing
    of the transaction was kept, and the same write may succeed once the server is back (so
    intake holds events, as it does when a disk is full)."""


def safe_url(url: str) -> str:
    """Where the database is, for messages and logs: no password, whatever the URL's form."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "(an unreadable DATABASE_URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


_PASSWORD = re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s]*@")


def reason(exc: BaseException) -> str:
    """The first line of a driver error, with anything that looks like a password blanked."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    first = _PASSWORD.sub(r"\1***", first)
    return _URL_PASSWORD.sub(r"\1:***@", first)[:300]


def translate(exc: psycopg.Error) -> StoreError | psycopg.Error:
    """The store's error for a driver error (DuplicateKeyError for a broken uniqueness rule,
    DatabaseUnavailableError for a lost or refused connection), or the error itself (a bug)."""
    if isinstance(exc, errors.UniqueViolation):
        detail = exc.diag.message_detail or ""
        constraint = exc.diag.constraint_name or "a unique constraint"
        return DuplicateKeyError(f"already stored ({constraint}): {detail}".rstrip(": "))
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return DatabaseUnavailableError(f"PostgreSQL refused the write: {reason(exc)}")
    return exc


class Database:
    """The store's one connection; `transaction()` nests (savepoints)."""

    def __init__(self, url: str, *, application: str = "danso-bot") -> None:
        self._url = url
        self._application = application
        self.url_safe = safe_url(url)
        self._conn: psycopg.Connection[Any] | None = None
        self.depth = 0
        self.closed = False
        self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(
                self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                application_name=self._application,
            )  # fmt: skip
        except psycopg.Error as exc:
            msg = f"cannot connect to PostgreSQL at {self.url_safe}: {reason(exc)}"
            raise DatabaseUnavailableError(msg) from None
        self._conn = conn
        return conn

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """The live connection: a new one when the last was lost, outside a transaction."""
        if self.closed:
            msg = "the store is closed"
            raise StoreError(msg)
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            if self.depth:
                msg = "the connection to PostgreSQL was lost inside a transaction"
                raise DatabaseUnavailableError(msg)
            if conn is not None:
                log.warning("connection to PostgreSQL at %s lost; connecting again", self.url_safe)
            conn = self._connect()
        return conn

    def execute(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> psycopg.Cursor[Any]:
        conn = self.conn
        try:
            return conn.execute(sql, params)
        except psycopg.Error as exc:
            raise translate(exc) from exc

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first row, or None."""
        return self.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; inside another, a savepoint (an error undoes only this block)."""
        conn = self.conn
        self.depth += 1
        try:
            with conn.transaction():
                yield
        except psycopg.Error as exc:
            raise translate(exc) from exc
        finally:
            self.depth -= 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:  # already gone: nothing to release
                pass
            self._conn = None
