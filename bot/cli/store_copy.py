"""`python -m bot store copy --to postgres`: the embedded store of the config's data directory
copied into the empty PostgreSQL database of DATABASE_URL, in one transaction, then every
table counted again.

Refused, with nothing written: while the bot runs (it holds the data directory), without
DATABASE_URL, or when the database already holds records. The data directory is left as it
was (a store of an older schema is migrated first, with its backup, as any open does), so
the bot can go back to it until `store.backend: postgres` is set.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping

from bot.cli.common import FAILED, OK, USAGE, config_or_none, err, open_for_cli
from bot.core.clock import SystemClock
from bot.features.audit.log import AuditLog, cli_who
from bot.store import StoreError, open_store

log = logging.getLogger(__name__)
# Exit codes: 0 copied and every count matches; 1 the copy failed or a count differs; 2 wrong
# arguments, config, no DATABASE_URL, or a database that is not empty; 3 the bot is running.
TARGETS = ("postgres",)


def run_store_copy(
    *, to: str = "postgres", config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:  # fmt: skip
    """Copy the configured data directory into the database of DATABASE_URL; an exit code."""
    if to not in TARGETS:
        err(f"Không chép được / cannot copy to {to!r}: only {', '.join(TARGETS)}.")
        return USAGE
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    url = config.store.database_url
    if url is None or not url.get_secret_value():
        err("Chưa có DATABASE_URL / DATABASE_URL is not set: it names the PostgreSQL database "
            "to copy into (postgresql://user:password@host/dbname).")  # fmt: skip
        return USAGE
    from bot.store.postgres.bulk import TargetNotEmptyError, copy_into
    from bot.store.postgres.store import PostgresStore

    source = open_for_cli(  # the data directory's store, whatever store.backend says already
        config, while_running="Stop it first: the copy must see all of it.", embedded=True
    )
    if isinstance(source, int):
        return source
    try:
        try:
            target = open_store(backend="postgres", url=url.get_secret_value())
        except StoreError as exc:
            err(f"Không mở được cơ sở dữ liệu / cannot open the database: {exc}")
            return FAILED
        assert isinstance(target, PostgresStore)
        try:
            started = time.monotonic()
            try:
                counts = copy_into(source, target)
            except TargetNotEmptyError as exc:
                err(f"Không chép / not copying: {exc}. A copy goes only into an empty "
                    "database: create a new one, or empty this one yourself.")  # fmt: skip
                return USAGE
            except StoreError as exc:
                err(f"Không chép được / the copy failed, nothing was written: {exc}")
                return FAILED
            seconds = time.monotonic() - started
            return _report(counts, config.data_dir, target, seconds)
        finally:
            target.close()
    finally:
        source.close()


def _report(counts: list, data_dir: object, target: object, seconds: float) -> int:
    print(f"Bảng / table{'':14} đã chép / copied   có / found")
    for c in counts:
        mark = "" if c.ok else "   <- KHÁC / DIFFERS"
        print(f"  {c.table:<24} {c.copied:>10} {c.found:>10}{mark}")
    wrong = [c.table for c in counts if not c.ok]
    where = target.url_safe  # type: ignore[attr-defined]
    if wrong:
        err(f"Số dòng khác nhau / counts differ in: {', '.join(wrong)}")
        return FAILED
    reports = next(c.copied for c in counts if c.table == "reports")
    AuditLog(store=target, clock=SystemClock()).record(  # type: ignore[arg-type]
        "store.copy", who=cli_who(), where="cli", target=where,
        detail={"from": str(data_dir), "rows": sum(c.copied for c in counts)},
    )  # fmt: skip
    log.info("store.copy by %s: %s -> %s", cli_who(), data_dir, where)
    print(
        f"Đã chép / copied {data_dir} into {where} in {seconds:.1f} s: {reports} report "
        "versions; every count matches. Set `store: {backend: postgres}` in config.yaml to use it."
    )
    return OK
