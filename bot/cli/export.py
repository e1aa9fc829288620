"""`python -m bot export`: write one period's field reports to a CSV or Excel file."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from bot.cli.common import FAILED, OK, USAGE, area_code, config_or_none, err, store_or_none
from bot.core.areas import AreaTree
from bot.core.clock import SystemClock
from bot.core.file_writes import write_atomic
from bot.core.periods import describe, parse_key
from bot.features.audit.access_log import record_access
from bot.features.audit.log import AuditLog, cli_who
from bot.features.export.rows import export_rows, periods_within, to_csv, to_xlsx
from bot.features.reports.types import ReportTypes
from bot.store import Store

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "xlsx"]
# Exit codes: 0 written; 1 the store or the file could not be used; 2 wrong arguments or config.


def run_export(
    *,
    period: str,
    output: Path,
    fmt: ExportFormat | None = None,
    area: str | None = None,
    type_code: str | None = None,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Export `period` (2026-11, 2026-W45, 2026-Q4, 2026-11-24) to `output`; an exit code.

    `fmt` None: xlsx if `output` ends in .xlsx, else csv. `area`: a code, or a name that names
    one area. `type_code`: a report type's code or name. Problems go to stderr, the one-line
    summary to stdout.
    """
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if not config.report_types:
        err("The config has no report_types: there is nothing to export.")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
    try:
        wanted = parse_key(period)
        code = None if area is None else area_code(areas, area)
        rt = None if type_code is None else types.get(type_code) or types.by_name(type_code)
        if type_code is not None and rt is None:
            known = ", ".join(t.code for t in types)
            msg = f"no report type {type_code!r}; the types are: {known}"
            raise ValueError(msg)
    except ValueError as exc:
        err(str(exc))
        return USAGE
    store = store_or_none(
        config,
        while_running="Stop the bot and export again, or export from a copy of the folder: "
        "BOT_DATA_DIR=/path/to/copy python -m bot export …",
    )
    if store is None:
        return FAILED
    try:
        rows = export_rows(
            store.reports,
            types=types,
            areas=areas,
            period=wanted.key,
            area=code,
            type_code=rt.code if rt else None,
            people=person_label(store),
        )
        chosen = rt.code if rt else None
        tz = config.tzinfo()
        kind = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
        data = (to_xlsx if kind == "xlsx" else to_csv)(rows, types=types, type_code=chosen, tz=tz)
        try:
            write_atomic(output, data)
        except OSError as exc:
            err(f"Cannot write {output}: {exc}")
            return FAILED
        AuditLog(store=store, clock=SystemClock()).record(
            "export.reports", who=cli_who(), where="cli", target=code or areas.root.code,
            detail={"period": wanted.key, "rows": len(rows), "format": kind, "type": chosen},
        )  # fmt: skip
        record_access(
            store, SystemClock(), "reports.export", who=cli_who(), where="cli",
            detail={"area": code or areas.root.code, "period": wanted.key},
        )  # fmt: skip
    except ValueError as exc:
        err(str(exc))
        return USAGE
    finally:
        store.close()
    villages = len({r.area_code for r in rows})
    left_out = [t.code for t in types if rt is None and not periods_within(t.period, wanted)]
    note = f"; left out (longer periods): {', '.join(left_out)}" if left_out else ""
    counts = f"{_plural(len(rows), 'row')} ({_plural(villages, 'village')}"
    print(f"Exported {counts}, {describe(wanted, 'vi')}) to {output} as {kind}{note}")
    return OK


def person_label(store: Store) -> Callable[[int], str]:
    """A reporter as "Name (id)": names repeat across villages, the short id does not."""
    cache: dict[int, str] = {}

    def label(person_id: int) -> str:
        if person_id not in cache:
            person = store.people.get(person_id)
            cache[person_id] = f"{person.name} ({person_id})" if person else f"({person_id})"
        return cache[person_id]

    return label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
