"""Invariants of a whole store, checked after a restore or a migration (and by the tests).

`check_store` reads every record once (report shards included), so it costs a full load: for
tools and tests, not for each start.
"""

from __future__ import annotations

from typing import cast

from bot.core.models import Directive, OutboxItem, Person, Report
from bot.store.base import SCHEMA_VERSION
from bot.store.engine.tables import SPECS, MetaEntry, PeopleTable, ReportTable, Table
from bot.store.repos.core_store import SCHEMA_KEY, CoreStore

COUNTER_PREFIX = "next_id."


def check_store(store: CoreStore) -> list[str]:
    """Every broken invariant, in words; an empty list when the store is sound."""
    tables = store._core.tables
    problems: list[str] = []
    version = store.meta.get(SCHEMA_KEY)
    if version != SCHEMA_VERSION:
        problems.append(f"schema version is {version!r}, not {SCHEMA_VERSION}")
    meta = cast(Table, tables["meta"])
    for key, entry in meta.rows.items():
        name = str(key)
        if not name.startswith(COUNTER_PREFIX):
            continue
        table = tables.get(name[len(COUNTER_PREFIX) :])
        if not isinstance(table, Table):
            continue
        top = max((k for k in table.rows if isinstance(k, int)), default=0)
        if top >= int(cast(MetaEntry, entry).value):
            problems.append(f"{name} is {entry.value} but id {top} is stored")
    jobs = cast(Table, tables["outbox_jobs"]).rows
    for item in cast(list[OutboxItem], cast(Table, tables["outbox"]).values()):
        if item.job_id not in jobs:
            problems.append(f"outbox item {item.id} belongs to a missing job {item.job_id}")
    for directive in cast(list[Directive], cast(Table, tables["directives"]).values()):
        if directive.job_id is not None and directive.job_id not in jobs:
            problems.append(f"directive {directive.id} names a missing job {directive.job_id}")
    people = cast(PeopleTable, tables["people"])
    for person in cast(list[Person], people.values()):
        for account in person.accounts:
            if people.accounts.get(account.key) != person.id:
                problems.append(f"account of person {person.id} is not indexed to them")
    problems += _check_reports(store, cast(ReportTable, tables["reports"]))
    for name in SPECS:
        if name not in tables:
            problems.append(f"table {name} is missing")
    return problems


def _check_reports(store: CoreStore, table: ReportTable) -> list[str]:
    problems = []
    numbered: dict[int, str] = {}  # short number -> the report that has it
    for report_id in list(table.index):
        rows = table.index.rows(report_id)
        versions = [row.version for row in rows]
        if versions != list(range(1, len(rows) + 1)):
            problems.append(f"report {report_id} has versions {versions}, not 1..{len(rows)}")
        numbers = sorted({row.number for row in rows})
        if len(numbers) != 1 or numbers[0] == 0:
            problems.append(f"report {report_id} has numbers {numbers}, not one number")
        elif numbered.setdefault(numbers[0], report_id) != report_id:
            problems.append(f"reports {numbered[numbers[0]]} and {report_id} share number "
                            f"{numbers[0]}")  # fmt: skip
        for row in rows:
            record = cast(Report | None, store._core.get("reports", (report_id, row.version)))
            if record is None:
                problems.append(f"report {report_id} v{row.version} is indexed but not stored")
            elif (record.id, record.area, record.period, record.type) != (
                report_id,
                row.area,
                row.period,
                row.type,
            ):
                problems.append(f"report {report_id} v{row.version} differs from its index row")
    return problems
