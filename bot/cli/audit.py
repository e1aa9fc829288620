"""`python -m bot audit`: print the audit trail of a period as text, CSV or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.cli.common import FAILED, OK, USAGE, config_or_none, err, store_or_none
from bot.core.admin_records import AuditEntry
from bot.core.areas import AreaTree
from bot.core.clock import SystemClock
from bot.core.i18n import Translator
from bot.core.sheets import csv_text
from bot.features.audit.text import AuditText

AuditFormat = Literal["text", "csv", "json"]
DEFAULT_DAYS = 7
FIELDS = ("id", "at", "action", "who", "who_name", "where", "target", "detail")
# Exit codes: 0 printed; 1 the store could not be opened; 2 wrong arguments or config.


def run_audit(
    *,
    start: str | None = None,
    end: str | None = None,
    fmt: AuditFormat = "text",
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Print the entries from `start` to `end` (YYYY-MM-DD, both days included, local time;
    default the last 7 days up to today), oldest first; an exit code."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    tz = config.tzinfo()
    today = SystemClock().now().astimezone(tz).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as exc:
        err(f"Dates are written YYYY-MM-DD: {exc}")
        return USAGE
    if first > last:
        err(f"--from {first} is after --to {last}.")
        return USAGE
    store = store_or_none(
        config,
        while_running="Stop the bot and run this again, or read a copy of the folder: "
        "BOT_DATA_DIR=/path/to/copy python -m bot audit …; admins see recent entries with "
        "/nhatky.",
    )
    if store is None:
        return FAILED
    try:
        lower = datetime.combine(first, time(), tz)
        upper = datetime.combine(last + timedelta(days=1), time(), tz)
        entries = store.audit.between(lower, upper)
        lang = config.language
        translate = Translator(lang, headings=config.directives.heading.by_language())
        text = AuditText(translate, tz, AreaTree.from_config(config.areas), store)
        if fmt == "json":
            out = json.dumps([_row(e, text, lang) for e in entries], ensure_ascii=False, indent=1)
        elif fmt == "csv":
            # Names come from chats: the shared writer keeps `=2*3…` from running as a formula.
            table: list[list[object]] = [list(FIELDS)]
            for e in entries:
                row = _row(e, text, lang)
                row["detail"] = json.dumps(row["detail"], ensure_ascii=False)
                table.append([row[f] for f in FIELDS])
            out = csv_text(table, newline="\n").rstrip("\n")
        else:
            count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
            head = f"Audit trail {first} – {last}: {count}"
            lines = [text.line(e, lang, time_format="%Y-%m-%d %H:%M") for e in entries]
            out = "\n".join([head, *lines])
    finally:
        store.close()
    print(out)
    return OK


def _row(e: AuditEntry, text: AuditText, lang: str) -> dict[str, object]:
    """One entry as stored, its time in local time, and who it was by name."""
    return {
        "id": e.id,
        "at": e.at.astimezone(text.tz).isoformat(timespec="seconds"),
        "action": e.action,
        "who": e.who,
        "who_name": text.who(e.who, lang),
        "where": e.where,
        "target": e.target,
        "detail": e.detail,
    }
