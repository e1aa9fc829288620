"""`backup` and `restore` when `store.backend: postgres`: pg_dump's custom format (-Fc).

Backup works while the bot runs: pg_dump reads one snapshot of the database (one repeatable-read
transaction), so the archive is the state after one commit, and it blocks no write of the bot.
The rows of `instances` are left out (which instances were alive then is not data). Not in the
database, so not in the archive: the files behind signed links (`store.files_dir`).

Restore refuses while an instance has said it is alive within `store.dead_after_seconds` (exit
3), and a database whose tables hold rows unless --replace (exit 2). It is one transaction:
pg_restore turns the archive into SQL, psql runs it after dropping the tables already there, and
COMMIT is sent only once pg_restore has read the whole archive. A damaged archive, an error or a
stop half-way leaves the database as it was. Owners and grants are not restored: what it makes
belongs to DATABASE_URL's user (on a managed PostgreSQL the backup's owner may not exist).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bot.cli.common import FAILED, OK, USAGE, err
from bot.cli.postgres import tools as pg_tools
from bot.config.loading import Config
from bot.core.file_writes import fsync_dir, open_private, private_dir
from bot.features.audit.log import cli_who

log = logging.getLogger(__name__)

MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
HEARTBEATS = "instances"  # who is alive: runtime state, not data (bot/app, docs/deploy.md)
_ENTRY = re.compile(r"^\d+; \d+ \d+ (TABLE DATA|TABLE) (\S+) (\S+) ", re.MULTILINE)


def is_archive(path: Path) -> bool:
    """Whether `path` starts like a pg_dump custom-format archive."""
    try:
        with path.open("rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def backup(config: Config, output: Path, environ: Mapping[str, str]) -> int:
    """pg_dump the database to `output` (0600, replaced whole by rename); an exit code."""
    target = _target(config, environ)
    if isinstance(target, int):
        return target
    tools = _tools(environ, "pg_dump", "pg_restore")
    if tools is None:
        return FAILED
    pg_dump, pg_restore = tools
    tmp = output.with_name(f".{output.name}.{secrets.token_hex(4)}.tmp")
    try:
        private_dir(output.parent)
        fd = open_private(tmp, os.O_WRONLY | os.O_EXCL)
    except OSError as exc:
        err(f"Cannot write {output}: {exc}")
        return FAILED
    try:
        try:
            dumped = pg_tools.run(
                [pg_dump, "--format=custom", "--no-password", f"--exclude-table-data={HEARTBEATS}",
                 f"--dbname={target.conninfo}"], target, stdout=fd,
            )  # fmt: skip
            if dumped.returncode == 0:
                os.fsync(fd)
        finally:
            os.close(fd)
        if dumped.returncode != 0:
            why = pg_tools.explain("pg_dump", dumped.stderr)
            err(f"Không sao lưu được / backup failed: {why}")
            return FAILED
        listed = pg_tools.run([pg_restore, "--list", str(tmp)], target)
        if listed.returncode != 0:
            err(f"pg_dump wrote an archive that cannot be read back: {listed.stderr.strip()}")
            return FAILED
        os.replace(tmp, output)
        fsync_dir(output.parent)
    except OSError as exc:
        err(f"Cannot write {output}: {exc}")
        return FAILED
    finally:
        tmp.unlink(missing_ok=True)
    tables, with_rows = _tables(listed.stdout), _tables(listed.stdout, kind="TABLE DATA")
    server = re.search(r"Dumped from database version: (\S+)", listed.stdout)
    size = output.stat().st_size
    files = config.store.files_dir or config.data_dir / "files"
    log.info(
        "store.backup by %s: %s of %s (%d tables, %d bytes)",
        cli_who(), output, target.name, len(tables), size,
    )  # fmt: skip
    print(
        f"Đã sao lưu / backed up the PostgreSQL database {target.name} to {output}: "
        f"{len(tables)} tables, {len(with_rows)} with rows, {size / 1024:.0f} KiB "
        f"(pg_dump custom format, server {server[1] if server else '?'}).\n"
        f"Not in it: the files behind signed links in {files}; copy that folder too.\n"
        f"Restore with: python -m bot restore {output}"
    )
    return OK


def restore(config: Config, archive: Path, *, replace: bool, environ: Mapping[str, str]) -> int:
    """Load `archive` into the database, in one transaction; an exit code."""
    target = _target(config, environ)
    if isinstance(target, int):
        return target
    if not archive.is_file():
        err(f"No backup file at {archive}.")
        return USAGE
    if not is_archive(archive):
        err(
            f"Không khôi phục / not restoring: {archive} is not a PostgreSQL backup (one that "
            "`python -m bot backup` writes with store.backend: postgres). An embedded data "
            "directory's .tar.gz goes into PostgreSQL with `python -m bot store copy`, after "
            "restoring it with store.backend: tinydb."
        )
        return USAGE
    tools = _tools(environ, "pg_restore", "psql")
    if tools is None:
        return FAILED
    pg_restore, psql = tools
    listed = pg_tools.run([pg_restore, "--list", str(archive)], target)
    if listed.returncode != 0:
        err(f"Không khôi phục / not restoring: {archive} cannot be read: {listed.stderr.strip()}")
        return FAILED
    from bot.cli.postgres.checks import Refusal, examine

    url = config.store.database_url
    assert url is not None  # _target checked it
    try:
        present = examine(
            url.get_secret_value(), schemas={s for s, _ in _tables(listed.stdout)},
            dead_after=config.store.dead_after_seconds, replace=replace, heartbeats=HEARTBEATS,
        )  # fmt: skip
    except Refusal as refusal:
        err(f"Không khôi phục / not restoring into {target.name}: {refusal}")
        return refusal.code
    except Exception as exc:  # psycopg.Error: the server refused or cannot be reached
        err(f"Cannot read the database {target.name}: {target.scrub(str(exc).strip())}")
        return FAILED
    failure = _load(pg_restore, psql, archive, target, drop=present)
    if failure:
        err(f"Không khôi phục / not restored, the database is as it was: {failure}")
        return FAILED
    from bot.cli.postgres.checks import summary

    try:
        tables, rows = summary(url.get_secret_value())
    except Exception as exc:  # restored and committed; only the count failed
        tables, rows = -1, -1
        err(f"Restored, but the tables could not be counted: {target.scrub(str(exc).strip())}")
    made = re.search(r"Archive created at (.+)", listed.stdout)
    log.info("store.restore by %s: %s into %s", cli_who(), archive, target.name)
    print(
        f"Đã khôi phục / restored {archive} (made {made[1].strip() if made else '?'}) into "
        f"{target.name}: {tables} tables, {rows} rows"
        + (f"; replaced {len(present)} tables that were there" if present else "")
        + ". Start the bot: it migrates an older schema."
    )
    return OK


def _load(
    pg_restore: str,
    psql: str,
    archive: Path,
    target: pg_tools.Target,
    *,
    drop: list[tuple[str, str]],
) -> str:
    """Run the archive's SQL through psql in one transaction; "" when committed, else why."""
    names = ", ".join(f"{_ident(s)}.{_ident(t)}" for s, t in drop)
    head = "SET client_min_messages = warning;\nBEGIN;\n"
    head += f"DROP TABLE IF EXISTS {names} CASCADE;\n" if drop else ""
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as psql_err:
        script = subprocess.Popen(  # noqa: S603 (no shell; the arguments are ours)
            [pg_restore, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--file=-",
             str(archive)], env=target.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=script_err,
        )  # fmt: skip
        runner = subprocess.Popen(  # noqa: S603 (no shell; the arguments are ours)
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
             f"--dbname={target.conninfo}", "--file=-"], env=target.env, stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=psql_err,
        )  # fmt: skip
        assert script.stdout is not None and runner.stdin is not None
        committed = False
        try:
            runner.stdin.write(head.encode())
            shutil.copyfileobj(script.stdout, runner.stdin, 1 << 20)
            if script.wait() == 0:
                runner.stdin.write(b"COMMIT;\n")
                committed = True
            runner.stdin.close()  # without COMMIT, psql ends and the server rolls back
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP)
            committed = False
        finally:
            if not committed:
                runner.kill()
                with contextlib.suppress(OSError):
                    runner.stdin.close()
            if script.poll() is None:
                script.kill()
            script.wait()
            runner.wait()
        if committed and runner.returncode == 0:
            return ""
        first = (script_err, psql_err) if script.returncode else (psql_err, script_err)
        why = _read(first[0]) or _read(first[1]) or "psql or pg_restore stopped"
        return pg_tools.explain("pg_restore", target.scrub(why))


def _read(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode("utf-8", "replace").strip()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(listing: str, *, kind: str = "TABLE") -> set[tuple[str, str]]:
    """(schema, table) of each entry of `kind` in `pg_restore --list`'s output."""
    return {(m[2], m[3]) for m in _ENTRY.finditer(listing) if m[1] == kind}


def _target(config: Config, environ: Mapping[str, str]) -> pg_tools.Target | int:
    url = config.store.database_url
    if url is None or not url.get_secret_value().strip():
        err(
            "store.backend is postgres but DATABASE_URL is not set: export it (under systemd "
            "it comes from the EnvironmentFile, docs/deploy.md)."
        )
        return USAGE
    try:
        return pg_tools.target(url.get_secret_value(), environ)
    except pg_tools.TargetError as exc:
        err(str(exc))
        return USAGE


def _tools(environ: Mapping[str, str], *names: str) -> list[str] | None:
    found = [pg_tools.find(name, environ) for name in names]
    for name, path in zip(names, found, strict=True):
        if path is None:
            err(pg_tools.missing(name))
            return None
    return [p for p in found if p is not None]
