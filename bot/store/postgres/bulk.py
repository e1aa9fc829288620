"""Loading a whole store into an empty PostgreSQL database in one transaction, with COPY (100k
reports take seconds), then checking that every table holds what was copied. For
`python -m bot store copy --to postgres` (bot/cli/store_copy.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from bot.core.models import Person, Report
from bot.store.base import StoreError
from bot.store.engine.codec import encode
from bot.store.engine.tables import SPECS, InboundMark, InboxEntry, ReminderFiring, ReportTable
from bot.store.postgres.core import PgCore
from bot.store.postgres.own_tables import report_columns
from bot.store.postgres.reports import NUMBERS
from bot.store.postgres.store import DATA_TABLES, PostgresStore
from bot.store.postgres.tables import LAYOUTS, key_params
from bot.store.repos.core_store import SCHEMA_KEY

# Tables of the source whose records are not generic PgTable rows in the target.
_SPECIAL = {"people", "reports", "inbound", "inbox", "reminder_firings"}


class TargetNotEmptyError(StoreError):
    """The database already holds records: a copy goes only into an empty one."""


@dataclass(frozen=True)
class TableCount:
    """One table of the target: rows copied into it, and rows found there afterwards."""

    table: str
    copied: int
    found: int

    @property
    def ok(self) -> bool:
        return self.copied == self.found


def is_empty(target: PostgresStore) -> bool:
    """No record in any table (the schema version a fresh open writes does not count)."""
    counts = target.counts()
    meta = counts.pop("meta")
    if any(counts.values()):
        return False
    return meta == 0 or (meta == 1 and target.meta.get(SCHEMA_KEY) is not None)


def copy_into(source: Any, target: PostgresStore) -> list[TableCount]:
    """Copy every record of `source` (a store built on the engine's core: the embedded one,
    or memory) into the empty `target`, in one transaction; then count each table again.
    TargetNotEmptyError when the target holds records; nothing is written then."""
    if not is_empty(target):
        msg = f"the database at {target.url_safe} already holds records"
        raise TargetNotEmptyError(msg)
    tables = source._core.tables
    core: PgCore = target._core
    copied: dict[str, int] = dict.fromkeys(DATA_TABLES, 0)
    db = core.db
    with db.transaction():
        db.execute("DELETE FROM meta")  # the fresh schema version: the source brings its own
        for name in SPECS:
            if name in _SPECIAL:
                continue
            records = list(tables[name].rows.values())
            copied[name] = _copy_generic(core, name, records)
        people = cast(list[Person], list(tables["people"].rows.values()))
        copied["people"], copied["accounts"] = _copy_people(core, people)
        copied["reports"] = _copy_reports(core, cast(ReportTable, tables["reports"]))
        marks = cast(list[InboundMark], list(tables["inbound"].rows.values()))
        waiting = cast(list[InboxEntry], list(tables["inbox"].rows.values()))
        copied["intake"] = _copy_intake(core, marks, waiting)
        firings = cast(list[ReminderFiring], list(tables["reminder_firings"].rows.values()))
        copied["reminder_firings"] = _copy_firings(core, firings)
        copied["meta"] += _settle_counters(core)
    found = target.counts()  # after the commit: what another instance would now see
    return [TableCount(name, copied[name], found[name]) for name in DATA_TABLES]


def _dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _copy(core: PgCore, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    with core.db.conn.cursor() as cur, cur.copy(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:  # fmt: skip
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _copy_generic(core: PgCore, name: str, records: list[Any]) -> int:
    layout = LAYOUTS[name]
    key_of = SPECS[name].key_of
    columns = (*layout.keys, *layout.columns, "doc")

    def rows() -> Iterator[list[Any]]:
        for r in records:
            extra = [get(r) for get in layout.columns.values()]
            yield [*key_params(key_of(r)), *extra, _dump(encode(r))]

    return _copy(core, name, columns, rows())


def _copy_people(core: PgCore, people: list[Person]) -> tuple[int, int]:
    n = _copy(core, "people", ("id", "doc"), ([p.id, _dump(encode(p))] for p in people))
    accounts = [(a.key, p.id) for p in people for a in p.accounts]
    owners: dict[str, int] = {}
    for key, person_id in accounts:
        if owners.setdefault(key, person_id) != person_id:
            msg = f"account {key} belongs to persons {owners[key]} and {person_id} in the source"
            raise StoreError(msg)
    return n, _copy(core, "accounts", ("key", "person_id"), accounts)


def _copy_reports(core: PgCore, table: ReportTable) -> int:
    index = table.index
    keys: list[tuple[str, str, str, int, bool]] = []
    for report_id in list(index):
        rows = index.rows(report_id)
        head = rows[-1].version
        keys += [(r.period, r.type, report_id, r.version, r.version == head) for r in rows]
    keys.sort()  # shard by shard: each shard file is read once

    def rows() -> Iterator[list[Any]]:
        for _, _, report_id, version, head in keys:
            report = cast(Report | None, table.get((report_id, version)))
            if report is None:
                msg = f"report {report_id} version {version} is indexed but not stored"
                raise StoreError(msg)
            yield [report_id, version, *report_columns(report), head, _dump(encode(report))]

    columns = ("id", "version", "number", "type", "period", "area", "reporter", "received_at")
    return _copy(core, "reports", (*columns, "head", "doc"), rows())


def _copy_intake(core: PgCore, marks: list[InboundMark], waiting: list[InboxEntry]) -> int:
    handled = {m.key for m in marks}
    rows: list[list[Any]] = [[m.key, "", "", m.at, None, m.at] for m in marks]
    for e in sorted(waiting, key=lambda e: (e.at, e.key)):  # the receipt order is kept
        if e.key not in handled:
            inc = e.incoming
            rows.append([e.key, inc.chat.key, inc.sender.key, e.at, _dump(encode(inc)), None])
    columns = ("key", "chat_key", "sender", "received_at", "incoming", "handled_at")
    return _copy(core, "intake", columns, rows)


def _copy_firings(core: PgCore, firings: list[ReminderFiring]) -> int:
    rows = ([f.reminder_id, f.due_at, f.fired_at, f.instance] for f in firings)
    return _copy(core, "reminder_firings", ("reminder_id", "due_at", "fired_at", "instance"), rows)


def _settle_counters(core: PgCore) -> int:
    """Every id counter past the highest id copied (a source may lack a counter, or hold one
    behind its records); the report numbers' counter past the highest number. How many
    counters were added to meta."""
    before = int(core.db.one("SELECT count(*) FROM meta")[0])
    for name, layout in LAYOUTS.items():
        if layout.keys == ("id",):
            _raise_to_top(core, f"next_id.{name}", name, "id")
    _raise_to_top(core, "next_id.people", "people", "id")
    _raise_to_top(core, NUMBERS, "reports", "number")
    return int(core.db.one("SELECT count(*) FROM meta")[0]) - before


def _raise_to_top(core: PgCore, counter: str, table: str, column: str) -> None:
    (top,) = core.db.one(f"SELECT coalesce(max({column}), 0) FROM {table}")
    if top:
        core.raise_counter(counter, int(top) + 1)
