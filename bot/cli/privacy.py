"""`python -m bot people export PERSON -o FILE.json` and `python -m bot people erase PERSON --yes`:
one person's data, for a request under the personal data law. Both refuse while the bot runs."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from bot.cli.common import FAILED, OK, USAGE, config_or_none, err, open_for_cli
from bot.core.clock import SystemClock
from bot.core.file_writes import write_atomic
from bot.delivery.file_store import FileStore
from bot.features.audit.log import AuditLog, cli_who
from bot.features.privacy.person_data import PersonData, PersonNotFound
from bot.features.privacy.purge import text_fields_of


def run_people(
    action: str,
    who: str,
    *,
    output: Path | None = None,
    yes: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """`export` writes everything about one person to `output` (JSON); `erase` removes their
    identity everywhere, keeping report numbers. Problems go to stderr, a summary to stdout."""
    if action == "export" and output is None:
        err("Give the file to write: people export PERSON -o FILE.json")
        return USAGE
    if action == "erase" and not yes:
        err("Erasing cannot be undone: run it again with --yes (export first if they asked).")
        return USAGE
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    opened = open_for_cli(config, while_running="Stop it first, then run this again.")
    if isinstance(opened, int):
        return opened
    store, clock = opened, SystemClock()
    files = FileStore(config.store.files_root(config.data_dir), clock=clock)
    data = PersonData(
        store=store, clock=clock, files=files,
        text_fields=text_fields_of(config.report_types), audit=AuditLog(store=store, clock=clock),
    )  # fmt: skip
    try:
        person = data.find(who)
        if action == "export":
            assert output is not None
            found = data.export(person, who=cli_who(), where="cli")
            text = json.dumps(found, ensure_ascii=False, indent=2, sort_keys=True)
            write_atomic(output, text.encode("utf-8") + b"\n", mode=0o600)
            counts = {k: len(v) for k, v in found.items() if isinstance(v, list) and v}
            print(f"Exported person {person.id} to {output}: {_counts(counts)}")
            return OK
        if person.erased_at is not None:
            print(f"Person {person.id} was erased already; erasing again.")
        summary = data.erase(person, who=cli_who(), where="cli")
        print(f"Erased person {person.id}: {_counts(summary)}. Their report numbers are kept.")
        return OK
    except PersonNotFound as exc:
        err(str(exc))
        return USAGE
    except OSError as exc:
        err(f"Cannot write {output}: {exc}")
        return FAILED
    finally:
        store.close()


def _counts(counts: Mapping[str, int]) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v)
    return shown or "nothing else stored"
