"""The benchmarks' PostgreSQL: seeded databases, kept as templates, cloned per measure.

The server is BENCH_PG_URL (default: the local one, postgresql://postgres@127.0.0.1:5432/
postgres, as in tests/support/pg.py). Every database made here is named `bench_…`:

- `bench_seed_<reports>_<stamp>_<hash>`: an embedded seed of bench/bigseed.py (`common.
  make_seed`'s people, groups and reports, the year ending at `stamp`, UTC) moved into
  PostgreSQL by the product's own bulk path, `python -m bot store copy --to postgres` (COPY in
  one transaction, then every table counted), then VACUUM ANALYZE (what autovacuum does soon
  after a load). Kept for later runs; never written after it is made, since measures work on
  clones of it. `hash` covers the generator and the Alembic migrations, so a change to either
  makes a new seed.
- `bench_run_<pid>_<hex>`: a measure's private copy of a seed (CREATE DATABASE … TEMPLATE …
  STRATEGY file_copy), dropped when the measure ends, or by the next run if its process died.
- `bench_seedtmp_<pid>_<hex>`: a seed being made (renamed when complete).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from common import ROOT, ReportMaker, Seed, bot_env, seed_people

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "bench_"
STAMP = "%Y%m%dT%H%M%S"
LAYOUT = 2  # how pg_seed makes a seed: one more whenever that changes


def server_url() -> str:
    return os.environ.get("BENCH_PG_URL", DEFAULT_URL)


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def where() -> str:
    """The server's address without any password, for messages."""
    parts = urlsplit(server_url())
    return f"{parts.hostname}:{parts.port or 5432}"


def unavailable() -> str | None:
    """Why PostgreSQL cannot be used for the benchmarks, or None when it can."""
    try:
        with psycopg.connect(server_url(), connect_timeout=3, autocommit=True) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = re.sub(r"(password\s*=\s*)\S+", r"\1***", first)
        return f"PostgreSQL is not reachable at {where()}: {first}"
    return None


def _admin() -> Any:
    return psycopg.connect(server_url(), autocommit=True)


def server_settings() -> str:
    """The server and the settings that decide a commit's cost."""
    with _admin() as conn:
        version = conn.execute("show server_version").fetchone()[0]
        found = {
            name: conn.execute(f"show {name}").fetchone()[0]
            for name in ("shared_buffers", "synchronous_commit", "fsync", "wal_sync_method")
        }
    settings = ", ".join(f"`{k}` {v}" for k, v in found.items())
    return f"PostgreSQL {version.split()[0]} on {where()}, as installed ({settings})"


def generator_fingerprint() -> str:
    """What any seed's records depend on: the report generator and the people."""
    digest = hashlib.sha256()
    for thing in (ReportMaker, seed_people):
        digest.update(inspect.getsource(thing).encode())
    return digest.hexdigest()[:8]


def fingerprint() -> str:
    """What a PostgreSQL seed depends on besides its size and stamp: the generator, the
    migrations and how pg_seed makes it."""
    digest = hashlib.sha256(f"{generator_fingerprint()} layout {LAYOUT}".encode())
    versions = Path(__file__).resolve().parents[1] / "bot/store/postgres/migrations/versions"
    for path in sorted(versions.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:8]


def seed_name(reports: int, now: datetime) -> str:
    return f"{PREFIX}seed_{reports}_{now:{STAMP}}_{fingerprint()}"


def seed_stamps() -> list[datetime]:
    """The stamps of the seeds on the server made by this generator and schema."""
    pattern = re.compile(rf"{PREFIX}seed_\d+_(\d{{8}}T\d{{6}})_{fingerprint()}$")
    with _admin() as conn:
        found = [pattern.match(name) for name in _databases(conn)]
    return [_stamp(m.group(1)) for m in found if m]


def _stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP).replace(tzinfo=UTC)


def _databases(conn: Any) -> list[str]:
    rows = conn.execute(
        "select datname from pg_database where datname like %s",
        [PREFIX.replace("_", r"\_") + "%"],
    ).fetchall()
    return [name for (name,) in rows]


def _drop(conn: Any, name: str) -> None:
    conn.execute(f'drop database if exists "{name}" with (force)')


def tidy(keep: set[str] | None = None) -> None:
    """Drop the copies and half-made seeds of runs that died, and seeds other than `keep`
    (when given)."""
    with _admin() as conn:
        for name in _databases(conn):
            if name.startswith((f"{PREFIX}run_", f"{PREFIX}seedtmp_")):
                if not Path(f"/proc/{name.split('_')[2]}").exists():
                    _drop(conn, name)
            elif keep is not None and name.startswith(f"{PREFIX}seed_") and name not in keep:
                _drop(conn, name)


@dataclass
class PgSeed:
    """A seeded database (a template: measures work on clones of it)."""

    name: str
    reports: int
    now: datetime
    seconds: float  # how long making it took, when it was made
    reused: bool  # made by an earlier run
    size_mb: float

    @contextmanager
    def clone(self) -> Iterator[tuple[str, float]]:
        """A private copy of the seed: (its URL, seconds the copy took); dropped after."""
        name = f"{PREFIX}run_{os.getpid()}_{secrets.token_hex(4)}"
        with _admin() as conn:
            started = time.perf_counter()
            conn.execute(f'create database "{name}" template "{self.name}" strategy file_copy')
            took = time.perf_counter() - started
        try:
            yield database_url(name), took
        finally:
            with _admin() as conn:
                _drop(conn, name)


def pg_seed(reports: int, *, now: datetime, source: Seed, tmp: Path) -> PgSeed:
    """The seed of `reports` reports ending at `now` (whole seconds, UTC): made by an earlier
    run, or now from `source` (the embedded seed of the same reports; copied under `tmp`
    first, since `store copy` opens it)."""
    name = seed_name(reports, now)
    with _admin() as conn:
        if name in _databases(conn):
            row = conn.execute(
                "select shobj_description(oid, 'pg_database'), pg_database_size(oid) "
                "from pg_database where datname = %s",
                [name],
            ).fetchone()
            info = json.loads(row[0] or "{}")
            return PgSeed(name, reports, now, float(info.get("seconds", 0)), True, row[1] / 2**20)
    temporary = f"{PREFIX}seedtmp_{os.getpid()}_{secrets.token_hex(4)}"
    with _admin() as conn:
        conn.execute(f'create database "{temporary}"')
    folder = tmp / f"pg-seed-{reports}"
    try:
        data_dir = source.copy_data(folder / "data")
        config = source.config(folder, data_dir=data_dir, telegram_url="http://127.0.0.1:9")
        started = time.perf_counter()
        copied = subprocess.run(
            [sys.executable, "-m", "bot", "store", "copy", "--to", "postgres",
             "--config", str(config)],
            cwd=ROOT, env={**bot_env(), "DATABASE_URL": database_url(temporary)},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        if copied.returncode != 0:
            msg = f"store copy exited {copied.returncode}: {copied.stderr[-2000:]}"
            raise RuntimeError(msg)
        with psycopg.connect(database_url(temporary), autocommit=True) as conn:
            conn.execute("vacuum analyze")
            stored = conn.execute("select count(*) from reports").fetchone()[0]
        if stored != reports:
            msg = f"store copy left {stored} report versions, expected {reports}"
            raise RuntimeError(msg)
        info = json.dumps({"seconds": round(seconds, 1)})
        with _admin() as conn:
            conn.execute(f"comment on database \"{temporary}\" is '{info}'")
            conn.execute(f'alter database "{temporary}" rename to "{name}"')
            size = conn.execute("select pg_database_size(%s)", [name]).fetchone()[0] / 2**20
    except BaseException:
        with _admin() as conn:
            _drop(conn, temporary)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return PgSeed(name, reports, now, seconds, False, size)
