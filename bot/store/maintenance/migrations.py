"""Schema migrations: ordered steps vN -> vN+1 over the loaded records, applied in one commit.

A store records the schema version it was written with (meta "schema_version"). When a program
with a higher SCHEMA_VERSION opens it, the disk backend first writes a backup archive of the
data directory (`<data_dir>/backups/pre-migration-v<N>-<UTC time>.tar.gz`, see
bot/store/embedded/backup.py), then `migrate` runs every step from the stored version up, writes
the new version and an audit entry "store.migrate", all in ONE atomic() block: a step that raises
undoes everything in memory and nothing reaches the journal, so the files stay as they were. A
store written by a newer program refuses to open (StoreVersionError, see
bot.store.repos.core_store.stored_schema).

Steps work on records through the transaction core, so they serve every backend built on it
alike (the memory backend always starts at the current version, so it never needs one). A step
that needs something from outside the store (the area tree's names) gets it through
MigrationContext.

Adding a step: bump SCHEMA_VERSION in bot/store/base.py, add `STEPS[old] = function`, and write a
test that opens a store written by the previous version (see tests/data/store-v1/).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from bot.core.admin_records import AuditEntry
from bot.core.models import Report
from bot.store.base import SCHEMA_VERSION, StoreVersionError
from bot.store.engine.tables import MetaEntry, ReportTable
from bot.store.repos.core_store import SCHEMA_KEY, CoreStore

log = logging.getLogger(__name__)


class StoreMigrationError(StoreVersionError):
    """An older store could not be brought to this program's schema; it was left as it was.
    (A kind of version error, so `python -m bot run` says so and exits 3.)"""


# Set when v1 -> v2 ran without an area tree: the next open that has one fills the names.
NAMES_PENDING_KEY = "reports.area_name_pending"


@dataclass(frozen=True, slots=True)
class MigrationContext:
    """What migrations may need from outside the store.

    `area_names`: area code -> its current name (from the config's area tree); None when the
    opener has no config (a bare `open_store` in a test or tool).
    """

    area_names: Mapping[str, str] | None = None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


Step = Callable[[CoreStore, MigrationContext], dict[str, Any]]


def area_names_from(root: Any) -> dict[str, str]:
    """Area code -> name for every area of the config's tree (`config.areas`): a plain walk,
    since the services build the full AreaTree at start anyway."""
    names: dict[str, str] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        names[node.code] = node.name
        stack.extend(node.children)
    return names


def _report_versions(store: CoreStore) -> list[tuple[str, int]]:
    """Every stored (report id, version), from the index (records are read one at a time)."""
    table = cast(ReportTable, store._core.tables["reports"])
    index = table.index
    return [(rid, row.version) for rid in list(index) for row in index.rows(rid)]


def _fill_area_names(store: CoreStore, names: Mapping[str, str], *, only_empty: bool) -> int:
    core = store._core
    filled = 0
    for key in _report_versions(store):
        report = cast(Report | None, core.get("reports", key))
        if report is None or (only_empty and report.area_name):
            continue
        name = names.get(report.area, "")
        if name != report.area_name:
            core.put("reports", key, replace(report, area_name=name))
            filled += 1
    return filled


def _v1_reports_gain_area_name(store: CoreStore, ctx: MigrationContext) -> dict[str, Any]:
    """v1 -> v2: every report version gets `area_name`, its village's name when written, so it
    stays readable after the village is merged or renamed. The names come from the current
    config's tree (the best record of the past there is); a code missing from the tree keeps "".
    Without a tree, names stay "" and NAMES_PENDING_KEY asks the next open with one to fill them.
    """
    if ctx.area_names is None:
        store._core.put("meta", NAMES_PENDING_KEY, MetaEntry(NAMES_PENDING_KEY, True))
        return {"area_names": "pending"}
    return {"area_names": _fill_area_names(store, ctx.area_names, only_empty=False)}


def _v2_reports_gain_numbers(store: CoreStore, ctx: MigrationContext) -> dict[str, Any]:
    """v2 -> v3: every report gets its short number (`Report.number`, the same on each of its
    versions), 1, 2, 3… in the order the reports were first stored (by their first version's
    received time, then id), so that `/cuatoi` lists them and `/sua 12` finds one. Reports
    stored from now on get the next number from the store."""
    core = store._core
    index = cast(ReportTable, core.tables["reports"]).index
    firsts = sorted((index.rows(rid)[0].received, rid) for rid in list(index))
    for number, (_, report_id) in enumerate(firsts, start=1):
        for row in index.rows(report_id):
            report = cast(Report | None, core.get("reports", (report_id, row.version)))
            if report is not None:
                core.put("reports", (report_id, row.version), replace(report, number=number))
    return {"report_numbers": len(firsts)}


# STEPS[n] migrates a store at version n to version n + 1.
STEPS: dict[int, Step] = {
    1: _v1_reports_gain_area_name,
    2: _v2_reports_gain_numbers,
}


def migrate(store: CoreStore, from_version: int, ctx: MigrationContext, *, backup: str) -> None:
    """Bring `store` from `from_version` to SCHEMA_VERSION in one commit, with an audit entry;
    on any error nothing is changed (and the error says which step failed)."""
    if from_version >= SCHEMA_VERSION:
        return
    missing = [v for v in range(from_version, SCHEMA_VERSION) if v not in STEPS]
    if missing:
        msg = f"no migration from schema version {missing[0]} to {missing[0] + 1}"
        raise StoreMigrationError(msg)
    done: dict[str, Any] = {}
    with store.atomic():
        for version in range(from_version, SCHEMA_VERSION):
            step = STEPS[version]
            try:
                done[f"v{version}"] = step(store, ctx)
            except Exception as exc:
                msg = f"migration from schema version {version} to {version + 1} failed: {exc}"
                raise StoreMigrationError(msg) from exc
        store._core.put("meta", SCHEMA_KEY, MetaEntry(SCHEMA_KEY, SCHEMA_VERSION))
        store.audit.add(
            AuditEntry(
                id=0,
                at=ctx.now(),
                action="store.migrate",
                who="system",
                where="start",
                detail={"from": from_version, "to": SCHEMA_VERSION, "backup": backup, **done},
            )
        )
    store.schema_version = SCHEMA_VERSION
    log.info("store migrated from schema version %d to %d", from_version, SCHEMA_VERSION)


def fill_pending_names(store: CoreStore, ctx: MigrationContext) -> None:
    """Finish v1 -> v2 when it ran without an area tree and this open has one."""
    if ctx.area_names is None or store.meta.get(NAMES_PENDING_KEY) is None:
        return
    with store.atomic():
        filled = _fill_area_names(store, ctx.area_names, only_empty=True)
        store._core.put("meta", NAMES_PENDING_KEY, None)
    log.info("store: filled the area names of %d report versions", filled)
