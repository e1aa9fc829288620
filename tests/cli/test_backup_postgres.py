"""`python -m bot backup|restore` with `store.backend: postgres`, as an operator runs them: real
subprocesses, a real PostgreSQL (tests/support/pg.py: skipped where there is none, failed under
CI), pg_dump, pg_restore and psql. The tables are plain ones made here, not the store's schema:
the commands work on whatever the database holds."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.cli.postgres import tools as pg_tools
from tests.support import pg

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pw-never-shown-7f3a"  # the local server trusts; any password is taken
CONFIG = """\
areas:
  code: "42"
  name: Tỉnh Thử
  kind: province
  children:
    - code: "4201"
      name: Xã A
      kind: commune
      children: [{code: "420101", name: Thôn 1, kind: village}]
store:
  backend: postgres
"""
pytestmark = pytest.mark.slow


def _require_tools() -> None:
    absent = [p for p in ("pg_dump", "pg_restore", "psql") if shutil.which(p) is None]
    if absent:
        reason = f"{', '.join(absent)} not installed ({pg_tools.CLIENT_PACKAGE})"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def databases() -> Iterator[list[str]]:
    """Makes databases on demand (`new()`); drops them all after the test."""
    _require_tools()
    made: list[str] = []
    yield made
    for url in made:
        pg.drop_database(url)


def new(made: list[str]) -> str:
    url = pg.create_database("bot_backup")
    made.append(url)
    return url


def with_password(url: str) -> str:
    return url.replace("://postgres@", f"://postgres:{PASSWORD}@")


def bot(
    tmp: Path, url: str, *args: str, path: str | None = None, config_text: str = CONFIG
) -> subprocess.CompletedProcess[str]:
    config = tmp / "config.yaml"
    config.write_text(config_text, encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_", "PG")) and k != "DATABASE_URL"
    }  # fmt: skip
    env |= {"DATABASE_URL": url, "BOT_DATA_DIR": str(tmp / "data"), "PYTHONUNBUFFERED": "1"}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--config", str(config)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert PASSWORD not in done.stdout + done.stderr  # never shown, whatever happened
    return done


def sql(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else []


def seed(url: str) -> None:
    sql(url, "create table people (id int primary key, name text not null)")
    sql(url, "insert into people values (1, 'Nguyễn Thị Hoa'), (2, 'Trần Văn Nam'), (3, 'Lê Mai')")
    # The heartbeat table of running instances: one beating now, as while the bot runs.
    sql(url, "create table instances (id text primary key, host text, pid int, "
             "started_at timestamptz, seen_at timestamptz, info jsonb)")  # fmt: skip
    sql(url, "insert into instances values ('a', 'web-1', 42, now(), now(), '{}')")


def names(url: str) -> list[object]:
    return [row[0] for row in sql(url, "select name from people order by id")]


def test_backup_while_running_then_restore_into_a_fresh_database(
    tmp_path: Path, databases: list[str]
) -> None:
    """The archive is a private pg_dump file written whole; its rows come back in a new
    database, the heartbeats' rows do not, and the password in the URL is never printed."""
    source = new(databases)
    seed(source)
    out = tmp_path / "backups" / "danso.pgdump"
    done = bot(tmp_path, with_password(source), "backup", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "backed up the PostgreSQL database" in done.stdout
    assert "2 tables, 1 with rows" in done.stdout  # the heartbeats' rows are left out
    assert "files behind signed links" in done.stdout  # what is not in it, said plainly
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["danso.pgdump"]  # no temp file left
    listing = subprocess.run(
        ["pg_restore", "--list", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert "Format: CUSTOM" in listing and "TABLE DATA public people" in listing

    sql(source, "delete from people")
    target = new(databases)
    done = bot(tmp_path, with_password(target), "restore", str(out))
    assert done.returncode == 0, done.stderr
    assert "2 tables, 3 rows" in done.stdout
    assert names(target) == ["Nguyễn Thị Hoa", "Trần Văn Nam", "Lê Mai"]
    assert sql(target, "select count(*) from instances") == [(0,)]
    assert names(source) == []  # the source was not touched


def test_restore_refuses_a_database_with_rows_unless_replace(
    tmp_path: Path, databases: list[str]
) -> None:
    """Exit 2 and nothing changed; with --replace the backup's rows replace what is there, and
    a table the backup does not hold goes too (a restore gives the backup's state)."""
    url = new(databases)
    seed(url)
    sql(url, "update instances set seen_at = now() - interval '1 hour'")  # stopped long ago
    out = tmp_path / "b.pgdump"
    assert bot(tmp_path, url, "backup", "-o", str(out)).returncode == 0
    sql(url, "update people set name = 'changed after the backup'")
    sql(url, "create table later (id int)")

    refused = bot(tmp_path, with_password(url), "restore", str(out))
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "public.people" in refused.stderr
    assert "--replace" in refused.stderr
    assert set(names(url)) == {"changed after the backup"}

    done = bot(tmp_path, with_password(url), "restore", str(out), "--replace")
    assert done.returncode == 0, done.stderr
    assert names(url) == ["Nguyễn Thị Hoa", "Trần Văn Nam", "Lê Mai"]
    assert sql(url, "select to_regclass('later') is null") == [(True,)]


def test_restore_refuses_while_an_instance_is_alive(tmp_path: Path, databases: list[str]) -> None:
    """An instance that beat within store.dead_after_seconds stops it, --replace or not: exit
    3, like the other commands while the bot runs."""
    url = new(databases)
    seed(url)
    out = tmp_path / "b.pgdump"
    assert bot(tmp_path, url, "backup", "-o", str(out)).returncode == 0
    refused = bot(tmp_path, url, "restore", str(out), "--replace")
    assert refused.returncode == 3
    assert "instance a on web-1 (pid 42)" in refused.stderr
    assert "Stop every instance first" in refused.stderr


def test_a_cut_archive_leaves_the_database_as_it_was(tmp_path: Path, databases: list[str]) -> None:
    """The restore is one transaction: an archive cut short fails (exit 1) after its table list
    was read and some of it was loaded, and the database keeps what it held."""
    url = new(databases)
    sql(url, "create table big (id int primary key, v text)")
    sql(url, "insert into big select g, md5(g::text) from generate_series(1, 100000) g")
    out = tmp_path / "b.pgdump"
    assert bot(tmp_path, url, "backup", "-o", str(out)).returncode == 0
    cut = tmp_path / "cut.pgdump"
    cut.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    sql(url, "delete from big where id > 10")

    failed = bot(tmp_path, url, "restore", str(cut), "--replace")
    assert failed.returncode == 1
    assert "the database is as it was" in failed.stderr
    assert sql(url, "select count(*) from big") == [(10,)]


def test_what_is_not_a_postgresql_backup_is_refused(tmp_path: Path, databases: list[str]) -> None:
    """An embedded store's .tar.gz (or anything else) is refused before the database is read."""
    url = new(databases)
    archive = tmp_path / "danso.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00 not a pg_dump archive")
    refused = bot(tmp_path, url, "restore", str(archive))
    assert refused.returncode == 2
    assert "is not a PostgreSQL backup" in refused.stderr and "store copy" in refused.stderr


def test_the_embedded_store_refuses_a_postgresql_backup(tmp_path: Path) -> None:
    """With store.backend: tinydb (unchanged otherwise) a pg_dump archive is named for what it
    is, and --replace is refused: the data folder is moved aside instead."""
    archive = tmp_path / "danso.pgdump"
    archive.write_bytes(b"PGDMP\x01\x0e\x00 the start of a pg_dump archive")
    embedded = CONFIG.replace("  backend: postgres", "  backend: tinydb")
    refused = bot(tmp_path, "", "restore", str(archive), config_text=embedded)
    assert refused.returncode == 2
    assert "is a PostgreSQL backup" in refused.stderr
    assert not (tmp_path / "data").exists()
    replace = bot(tmp_path, "", "restore", str(archive), "--replace", config_text=embedded)
    assert replace.returncode == 2 and "--replace is for store.backend: postgres" in replace.stderr


def test_without_pg_dump_it_names_the_package(tmp_path: Path, databases: list[str]) -> None:
    """No client programs on the PATH: exit 1, the Debian package named, no file written."""
    url = new(databases)
    out = tmp_path / "b.pgdump"
    done = bot(tmp_path, with_password(url), "backup", "-o", str(out), path=str(tmp_path))
    assert done.returncode == 1
    assert "pg_dump is not installed" in done.stderr
    assert "apt-get install postgresql-client-15" in done.stderr
    assert not out.exists()


def test_a_failing_dump_says_why_without_the_password(
    tmp_path: Path, databases: list[str]
) -> None:
    """The server's refusal is passed on (a database that does not exist), minus the password."""
    url = new(databases)
    missing = url.rsplit("/", 1)[0] + "/no_such_database_here"
    out = tmp_path / "b.pgdump"
    done = bot(tmp_path, with_password(missing), "backup", "-o", str(out))
    assert done.returncode == 1
    assert 'database "no_such_database_here" does not exist' in done.stderr
    assert not out.exists() and list(tmp_path.glob(".b.pgdump*")) == []


def test_the_url_reaches_the_programs_through_the_environment_only() -> None:
    """The password goes to PGPASSWORD, never into the command line's connection string; the
    keepalive settings, which have no variable, go there; DATABASE_URL is not passed on."""
    url = "postgresql://bot:s%40cret@db.example:6432/danso?sslmode=require&keepalives_idle=30"
    found = pg_tools.target(url, {"PATH": "/usr/bin", "DATABASE_URL": url})
    assert found.env["PGPASSWORD"] == "s@cret" and found.env["PGHOST"] == "db.example"
    assert found.env["PGPORT"] == "6432" and found.env["PGDATABASE"] == "danso"
    assert found.env["PGUSER"] == "bot" and found.env["PGSSLMODE"] == "require"
    assert "DATABASE_URL" not in found.env
    assert found.conninfo == "keepalives_idle='30'"
    assert found.name == "danso on db.example:6432"
    assert found.scrub(f"failed: {url} s@cret s%40cret") == "failed: *** *** ***"
    with pytest.raises(pg_tools.TargetError, match="sslpassword") as refused:
        pg_tools.target("host=h sslpassword=k3y password=p4ss", {})
    assert "p4ss" not in str(refused.value) and "k3y" not in str(refused.value)
