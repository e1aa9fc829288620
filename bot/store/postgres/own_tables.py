"""The tables with a class of their own: people (their accounts unique in a table beside them),
report versions (the latest flagged `head`), reminder firings (plain columns the cluster code
reads too); and every table of the store on one connection."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Json

from bot.core.models import Person
from bot.store.engine.codec import encode
from bot.store.engine.tables import SPECS, Key
from bot.store.postgres.connection import Database
from bot.store.postgres.tables import LAYOUTS, Layout, PgTable


class PeopleTable(PgTable):
    """People, with their accounts in a table of their own whose key is unique: an account
    belongs to one person, by constraint (a second owner raises DuplicateKeyError)."""

    def write(self, key: Key, value: Person | None, doc: Any) -> None:
        with self.db.transaction():
            if value is None:
                self.db.execute("DELETE FROM people WHERE id = %s", [key])
                return
            super().write(key, value, doc)
            keys = [a.key for a in value.accounts]
            self.db.execute(
                "DELETE FROM accounts WHERE person_id = %s AND NOT (key = ANY(%s))", [key, keys]
            )
            self.db.execute(
                "INSERT INTO accounts (key, person_id) SELECT k, %s FROM unnest(%s::text[]) AS k "
                "WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.key = k AND a.person_id = %s)",
                [key, keys, key],
            )

    def by_account(self, user_key: str) -> Person | None:
        row = self.db.one(
            "SELECT p.doc FROM accounts a JOIN people p ON p.id = a.person_id WHERE a.key = %s",
            [user_key],
        )
        return None if row is None else self.decode(row[0])

    def owner(self, user_key: str) -> int | None:
        row = self.db.one("SELECT person_id FROM accounts WHERE key = %s", [user_key])
        return None if row is None else int(row[0])


def report_columns(report: Any) -> list[Any]:
    """The indexed columns of a report version, in the table's order."""
    return [
        report.number, report.type, report.period, report.area, report.reporter,
        report.received_at,
    ]  # fmt: skip


class ReportTable(PgTable):
    """Report versions by (id, version), with the latest version of each report flagged `head`
    (partial indexes serve the queries about reports, a unique one their numbers)."""

    _INSERT = (
        "INSERT INTO reports (id, version, number, type, period, area, reporter, received_at, "
        "doc, head) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NOT EXISTS "
        "(SELECT 1 FROM reports r WHERE r.id = %s AND r.version > %s))"
    )
    _REPLACE = (
        " ON CONFLICT (id, version) DO UPDATE SET number = excluded.number, "
        "type = excluded.type, period = excluded.period, area = excluded.area, "
        "reporter = excluded.reporter, received_at = excluded.received_at, doc = excluded.doc"
    )

    def write(self, key: Key, value: Any, doc: Any) -> None:
        """Store a version, replacing it if stored (a scrub, a migration); None deletes."""
        report_id, version = key  # type: ignore[misc]
        with self.db.transaction():
            if value is None:
                self.db.execute(
                    "DELETE FROM reports WHERE id = %s AND version = %s", [report_id, version]
                )
                self._fix_head(report_id)
                return
            self._take_head(report_id, version)
            self.db.execute(
                self._INSERT + self._REPLACE,
                [report_id, version, *report_columns(value), Json(doc), report_id, version],
            )

    def insert(self, value: Any) -> None:
        """Store a new version: the primary key refuses one already stored (DuplicateKeyError),
        also when another instance stored it a moment ago."""
        doc = Json(encode(value))
        with self.db.transaction():
            self._take_head(value.id, value.version)
            self.db.execute(
                self._INSERT,
                [value.id, value.version, *report_columns(value), doc, value.id, value.version],
            )

    def _take_head(self, report_id: str, version: int) -> None:
        """A newer version takes the head from the one before (an older one does not)."""
        self.db.execute(
            "UPDATE reports SET head = false WHERE id = %s AND head AND version < %s",
            [report_id, version],
        )

    def _fix_head(self, report_id: str) -> None:
        """After a delete: the highest version left is the head."""
        self.db.execute(
            "UPDATE reports SET head = true WHERE id = %s AND NOT head AND version = "
            "(SELECT max(version) FROM reports WHERE id = %s)",
            [report_id, report_id],
        )


class FiringsTable(PgTable):
    """Reminder firings: plain columns (the cluster code reads them too), no `doc`."""

    def get(self, key: Key) -> Any:
        reminder_id, due = key  # type: ignore[misc]
        row = self.db.one(
            "SELECT reminder_id, due_at, fired_at, instance FROM reminder_firings "
            "WHERE reminder_id = %s AND due_at = %s",
            [reminder_id, due],
        )
        return None if row is None else self.spec.record(*row)

    def write(self, key: Key, value: Any, doc: Any) -> None:
        reminder_id, due = key  # type: ignore[misc]
        if value is None:
            self.db.execute(
                "DELETE FROM reminder_firings WHERE reminder_id = %s AND due_at = %s",
                [reminder_id, due],
            )
            return
        self.db.execute(
            "INSERT INTO reminder_firings (reminder_id, due_at, fired_at, instance) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (reminder_id, due_at) DO UPDATE SET "
            "fired_at = excluded.fired_at, instance = excluded.instance",
            [value.reminder_id, value.due_at, value.fired_at, value.instance],
        )

    def where(self, condition: str, params: Any = (), *, order: str = "") -> list[Any]:
        found = self.db.rows(
            "SELECT reminder_id, due_at, fired_at, instance FROM reminder_firings "
            f"WHERE {condition} ORDER BY {order or 'reminder_id, due_at'}",
            params,
        )
        return [self.spec.record(*row) for row in found]


def make_tables(db: Database) -> dict[str, PgTable]:
    """Every record table of the store on this connection (the intake is its repository's)."""
    tables: dict[str, PgTable] = {
        name: PgTable(db, SPECS[name], layout) for name, layout in LAYOUTS.items()
    }
    tables["people"] = PeopleTable(db, SPECS["people"], Layout())
    tables["reports"] = ReportTable(db, SPECS["reports"], Layout(("id", "version")))
    tables["reminder_firings"] = FiringsTable(
        db, SPECS["reminder_firings"], Layout(("reminder_id", "due_at"))
    )
    return tables
