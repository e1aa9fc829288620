"""Field reports, every version kept, over the transaction core and the report index."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import cast

from bot.core.models import Report
from bot.store.base import DuplicateKeyError
from bot.store.engine.tables import ReportTable
from bot.store.engine.transaction import Core


class ReportsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(ReportTable, core.tables["reports"])
        self._index = self._table.index

    def add(self, report: Report) -> Report:
        if self._index.row(report.id, report.version) is not None:
            msg = f"report {report.id} version {report.version} is already stored"
            raise DuplicateKeyError(msg)
        if report.number == 0:
            head = self._index.head(report.id)
            number = head.number if head is not None and head.number else 0
            report = replace(report, number=number or self._index.last_number + 1)
        self._core.put("reports", (report.id, report.version), report)
        return report

    def by_number(self, number: int) -> Report | None:
        report_id = self._index.by_number(number)
        return None if report_id is None else self.get(report_id)

    def get(self, report_id: str) -> Report | None:
        head = self._index.head(report_id)
        return None if head is None else self._load(report_id, head.version)

    def versions(self, report_id: str) -> list[Report]:
        return [self._load(report_id, row.version) for row in self._index.rows(report_id)]

    def in_period(
        self, type_: str, period: str, *, areas: Collection[str] | None = None
    ) -> list[Report]:
        wanted = None if areas is None else set(areas)
        picked = []
        for report_id in self._index.ids_in(type_, period):
            head = self._index.head(report_id)
            if head is not None and (wanted is None or head.area in wanted):
                picked.append((head.area, report_id, head.version))
        picked.sort()
        return [self._load(report_id, version) for _, report_id, version in picked]

    def latest_by_reporter(self, person_id: int, *, limit: int = 1) -> list[Report]:
        picked = self._index.latest_by(person_id, limit)
        return [self._load(report_id, version) for report_id, version in picked]

    def count(self) -> int:
        return len(self._index)

    def area_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report_id in self._index:
            for area in {row.area for row in self._index.rows(report_id)}:
                counts[area] = counts.get(area, 0) + 1
        return counts

    def ids_at(self, areas: Collection[str]) -> list[str]:
        wanted = set(areas)
        found = (
            report_id
            for report_id in self._index
            if any(row.area in wanted for row in self._index.rows(report_id))
        )
        return sorted(found)

    def rewrite(self, report_id: str, versions: Sequence[Report]) -> None:
        new_id = rewritten_id(report_id, versions)
        if new_id != report_id and self._index.head(new_id) is not None:
            msg = f"report {new_id} is already stored"
            raise DuplicateKeyError(msg)
        with self._core.atomic():
            for row in self._index.rows(report_id):
                self._core.put("reports", (report_id, row.version), None)
            for version in versions:
                self._core.put("reports", (version.id, version.version), version)

    def _load(self, report_id: str, version: int) -> Report:
        report = self._table.get((report_id, version))
        if report is None:  # the index and the records disagree: a bug, not a user error
            msg = f"report {report_id} version {version} is indexed but missing"
            raise LookupError(msg)
        return cast(Report, report)


def rewritten_id(report_id: str, versions: Sequence[Report]) -> str:
    """The id `rewrite` stores the versions under (theirs, or `report_id` for none); ValueError
    unless they are one report's versions, each once."""
    ids = {v.id for v in versions}
    if len(ids) > 1 or len({v.version for v in versions}) != len(versions):
        msg = "rewrite takes the versions of one report, each version once"
        raise ValueError(msg)
    return ids.pop() if ids else report_id
