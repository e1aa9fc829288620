"""Field reports in PostgreSQL: every version a row, the latest flagged `head`; the queries of
the digest, /thieu, exports and corrections are SQL over partial indexes, never a copy of the
history in memory."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any, cast

from bot.core.models import Report
from bot.store.base import DuplicateKeyError
from bot.store.postgres.core import PgCore
from bot.store.postgres.own_tables import ReportTable
from bot.store.repos.reports import rewritten_id

NUMBERS = "next_id.report_numbers"  # the counter of report numbers, in meta
# Over the latest versions: the unique index on their numbers answers it at once.
_NUMBER_FLOOR = "SELECT coalesce(max(number), 0) + 1 FROM reports WHERE head"


class PgReportsRepo:
    def __init__(self, core: PgCore) -> None:
        self._core = core
        self._db = core.db
        self._table = cast(ReportTable, core.tables["reports"])

    def add(self, report: Report) -> Report:
        with self._core.atomic():  # a savepoint: a refused version leaves the caller's block
            if report.number == 0:
                row = self._db.one(
                    "SELECT number FROM reports WHERE id = %s AND head", [report.id]
                )
                number = int(row[0]) if row is not None and row[0] else 0
                if not number:
                    number = self._core.counter(NUMBERS, 1, floor=_NUMBER_FLOOR)
                report = replace(report, number=number)
            else:
                self._core.raise_counter(NUMBERS, report.number + 1, floor=_NUMBER_FLOOR)
            self._insert(report)
        return report

    def _insert(self, report: Report) -> None:
        exists = self._db.one(
            "SELECT 1 FROM reports WHERE id = %s AND version = %s", [report.id, report.version]
        )
        if exists is not None:  # the primary key would refuse it too; this says it plainly
            msg = f"report {report.id} version {report.version} is already stored"
            raise DuplicateKeyError(msg)
        self._table.insert(report)

    def by_number(self, number: int) -> Report | None:
        if number <= 0:
            return None
        return self._first("number = %s AND head", [number])

    def get(self, report_id: str) -> Report | None:
        return self._first("id = %s AND head", [report_id])

    def versions(self, report_id: str) -> list[Report]:
        return self._table.where("id = %s", [report_id], order="version")

    def in_period(
        self, type_: str, period: str, *, areas: Collection[str] | None = None
    ) -> list[Report]:
        if areas is None:
            return self._table.where(
                "head AND type = %s AND period = %s", [type_, period], order="area, id"
            )
        return self._table.where(
            "head AND type = %s AND period = %s AND area = ANY(%s)",
            [type_, period, list(areas)],
            order="area, id",
        )

    def latest_by_reporter(self, person_id: int, *, limit: int = 1) -> list[Report]:
        if limit <= 0:
            return []
        return self._table.where(
            "head AND reporter = %s", [person_id], order=f"received_at DESC, id LIMIT {int(limit)}"
        )

    def count(self) -> int:
        return int(self._db.one("SELECT count(*) FROM reports WHERE head")[0])

    def area_counts(self) -> dict[str, int]:
        found = self._db.rows("SELECT area, count(DISTINCT id) FROM reports GROUP BY area")
        return {area: int(n) for area, n in found}

    def ids_at(self, areas: Collection[str]) -> list[str]:
        found = self._db.rows(
            "SELECT DISTINCT id FROM reports WHERE area = ANY(%s) ORDER BY id", [list(areas)]
        )
        return [report_id for (report_id,) in found]

    def rewrite(self, report_id: str, versions: Sequence[Report]) -> None:
        new_id = rewritten_id(report_id, versions)
        with self._core.atomic():
            if new_id != report_id and self.get(new_id) is not None:
                msg = f"report {new_id} is already stored"
                raise DuplicateKeyError(msg)
            self._db.execute("DELETE FROM reports WHERE id = %s", [report_id])
            for version in sorted(versions, key=lambda v: v.version):
                self._core.put("reports", (version.id, version.version), version)

    def _first(self, condition: str, params: list[Any]) -> Report | None:
        found = self._table.where(condition, params, order="id LIMIT 1")
        return found[0] if found else None
