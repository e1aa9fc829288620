"""`python -m bot export`: write one period's field reports to a CSV or Excel file."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from bot.areas import AreaTree
from bot.config import ConfigError, load_config
from bot.fsutil import write_atomic
from bot.services.export import export_rows, periods_within, to_csv, to_xlsx
from bot.services.periods import describe, parse_key
from bot.services.report_types import ReportTypes
from bot.store import Store, StoreError, StoreLockedError, open_store

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "xlsx"]
# Exit codes: 0 written; 1 the store or the file could not be used; 2 wrong arguments or config.
OK, FAILED, USAGE = 0, 1, 2


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
    try:
        config = load_config(config_path, environ=environ)
    except ConfigError as exc:
        _err("Cấu hình có lỗi / the config has problems:")
        for problem in exc.problems:
            _err(f"- {problem.path}: {problem.message}")
        return USAGE
    if not config.report_types:
        _err("The config has no report_types: there is nothing to export.")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
    try:
        wanted = parse_key(period)
        area_code = None if area is None else _area_code(areas, area)
        rt = None if type_code is None else types.get(type_code) or types.by_name(type_code)
        if type_code is not None and rt is None:
            known = ", ".join(t.code for t in types)
            msg = f"no report type {type_code!r}; the types are: {known}"
            raise ValueError(msg)
    except ValueError as exc:
        _err(str(exc))
        return USAGE
    data_dir = config.data_dir
    if not data_dir.is_dir():
        _err(f"No data folder at {data_dir}: the bot has not run with this config yet.")
        return FAILED
    try:
        store = open_store(data_dir)
    except StoreLockedError:
        _err(
            f"The data in {data_dir} is in use: the bot is running and locks it. Stop the bot "
            "and export again, or export from a copy of the folder: "
            "BOT_DATA_DIR=/path/to/copy python -m bot export …"
        )
        return FAILED
    except StoreError as exc:
        _err(f"Cannot open the data in {data_dir}: {exc}")
        return FAILED
    try:
        rows = export_rows(
            store.reports,
            types=types,
            areas=areas,
            period=wanted.key,
            area=area_code,
            type_code=rt.code if rt else None,
            people=person_label(store),
        )
    except ValueError as exc:
        _err(str(exc))
        return USAGE
    finally:
        store.close()
    chosen = rt.code if rt else None
    tz = config.tzinfo()
    kind = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    data = (to_xlsx if kind == "xlsx" else to_csv)(rows, types=types, type_code=chosen, tz=tz)
    try:
        write_atomic(output, data)
    except OSError as exc:
        _err(f"Cannot write {output}: {exc}")
        return FAILED
    villages = len({r.area_code for r in rows})
    left_out = [t.code for t in types if rt is None and not periods_within(t.period, wanted)]
    note = f"; left out (longer periods): {', '.join(left_out)}" if left_out else ""
    counts = f"{_plural(len(rows), 'row')} ({_plural(villages, 'village')}"
    print(f"Exported {counts}, {describe(wanted, 'vi')}) to {output} as {kind}{note}")
    return OK


def _area_code(areas: AreaTree, text: str) -> str:
    """The code `text` is, or the one area its name matches; ValueError otherwise."""
    if text in areas:
        return text
    found = areas.find(text, limit=5)
    if len(found) == 1:
        return found[0].code
    hint = "; did you mean: " + ", ".join(f"{a.code} ({a.name})" for a in found) if found else ""
    msg = f"no area {text!r}{hint}"
    raise ValueError(msg)


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


def _err(text: str) -> None:
    print(text, file=sys.stderr)
