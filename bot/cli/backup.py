"""`python -m bot backup -o FILE` and `python -m bot restore FILE`.

Backup works while the bot runs: it never opens the store (the running bot holds its lock),
it copies the files under checkpoint.lock (see bot/store/embedded/backup.py). So it cannot add
to the audit trail of a running store; it logs the backup and prints it instead. Restore goes
only into an empty or missing data directory, checks every file against the archive's
manifest, then opens the store once (replaying its journal, migrating an older schema) and
records "store.restore".

With `store.backend: postgres` both go through PostgreSQL's own pg_dump and pg_restore instead
(bot/cli/postgres/backup.py); restore then takes --replace for a database that is not empty.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from bot.cli.common import FAILED, OK, USAGE, config_or_none, err
from bot.core.clock import SystemClock
from bot.features.audit.log import AuditLog, cli_who
from bot.store import StoreError, StoreLockedError, open_store
from bot.store.embedded.backup import (
    BackupError,
    TargetNotEmptyError,
    restore_backup,
    write_backup,
)
from bot.store.maintenance.check import check_store
from bot.store.maintenance.migrations import area_names_from
from bot.store.repos.core_store import CoreStore

log = logging.getLogger(__name__)
# Exit codes: 0 done; 1 the store or the archive could not be used; 2 wrong arguments, config,
# or a restore into a data directory that is not empty.


def run_backup(
    *, output: Path, config_path: str | None = None, environ: Mapping[str, str] = os.environ
) -> int:
    """Write a backup of the configured data directory to `output`; an exit code."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if config.store.backend == "postgres":
        from bot.cli.postgres.backup import backup

        return backup(config, output, environ)
    data_dir = config.data_dir
    if not data_dir.is_dir():
        err(f"No data folder at {data_dir}: the bot has not run with this config yet.")
        return FAILED
    try:
        manifest = write_backup(data_dir, output)
    except (StoreError, OSError) as exc:
        err(f"Cannot back up {data_dir} to {output}: {exc}")
        return FAILED
    files = manifest["files"]
    size = sum(f["size"] for f in files)
    log.info(
        "store.backup by %s: %s (%d files, %d bytes, schema version %s)",
        cli_who(), output, len(files), size, manifest["schema_version"],
    )  # fmt: skip
    print(
        f"Đã sao lưu / backed up {data_dir} to {output}: {len(files)} files, "
        f"{size / 1024:.0f} KiB, schema version {manifest['schema_version']}"
    )
    return OK


def run_restore(
    *,
    archive: Path,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
    replace: bool = False,
) -> int:
    """Restore `archive` into the configured data directory, which must be empty (or, on
    PostgreSQL, into the database, which must be empty unless `replace`); an exit code."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if config.store.backend == "postgres":
        from bot.cli.postgres.backup import restore

        return restore(config, archive, replace=replace, environ=environ)
    data_dir = config.data_dir
    if replace:
        err("--replace is for store.backend: postgres; move the data folder aside instead.")
        return USAGE
    if not archive.is_file():
        err(f"No backup file at {archive}.")
        return USAGE
    from bot.cli.postgres.backup import is_archive

    if is_archive(archive):
        err(
            f"Không khôi phục / not restoring: {archive} is a PostgreSQL backup; set "
            "store.backend: postgres and DATABASE_URL to restore it into a database."
        )
        return USAGE
    try:
        manifest = restore_backup(archive, data_dir)
    except TargetNotEmptyError as exc:
        err(f"Không khôi phục / not restoring: {exc}. Move it aside, or set BOT_DATA_DIR.")
        return USAGE
    except BackupError as exc:
        err(f"Không khôi phục / not restoring: {exc}")
        return FAILED
    except OSError as exc:
        err(f"Cannot restore into {data_dir}: {exc}")
        return FAILED
    try:
        store = open_store(data_dir, area_names=area_names_from(config.areas))
    except StoreLockedError:
        err(f"The data in {data_dir} is in use: is a bot already running on it?")
        return FAILED
    except StoreError as exc:
        err(f"The files are restored in {data_dir}, but the store does not open: {exc}")
        return FAILED
    try:
        assert isinstance(store, CoreStore)
        problems = check_store(store)
        AuditLog(store=store, clock=SystemClock()).record(
            "store.restore", who=cli_who(), where="cli", target=archive.name,
            detail={"created_at": manifest["created_at"], "files": len(manifest["files"]),
                    "schema_version": manifest["schema_version"]},
        )  # fmt: skip
        reports = store.reports.count()
    finally:
        store.close()
    for problem in problems:
        err(f"- {problem}")
    print(
        f"Đã khôi phục / restored {archive} (made {manifest['created_at']}) into {data_dir}: "
        f"{reports} reports"
        + (f"; {len(problems)} problems found, see above" if problems else "; store checks pass")
    )
    return FAILED if problems else OK
