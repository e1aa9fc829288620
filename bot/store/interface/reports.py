"""Repository Protocol of field reports, every version kept."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.core.models import Report


class ReportsRepo(Protocol):
    """Field reports, every version kept.

    A report is identified by `Report.id`; each correction is a new record with the same id and
    a higher `version`; "the report" is its highest version.
    """

    def add(self, report: Report) -> Report:
        """Store one version; DuplicateKeyError if this (id, version) is already stored.

        Returns the version as stored: one without a `number` gets its report's number (a new
        report the next store-wide number, a later version the number of the ones before)."""

    def by_number(self, number: int) -> Report | None:
        """The latest version of the report with this short number, or None."""

    def get(self, report_id: str) -> Report | None:
        """The latest version of the report, or None."""

    def versions(self, report_id: str) -> list[Report]:
        """Every stored version of the report, oldest first."""

    def in_period(
        self, type_: str, period: str, *, areas: Collection[str] | None = None
    ) -> list[Report]:
        """Latest versions of the reports of this type and period (retracted ones included, the
        caller decides), optionally only for these area codes; sorted by area, then id."""

    def latest_by_reporter(self, person_id: int, *, limit: int = 1) -> list[Report]:
        """The reporter's reports (latest versions), most recently received first."""

    def count(self) -> int:
        """How many distinct reports (ids) are stored."""

    def area_counts(self) -> dict[str, int]:
        """Area code → how many reports (ids) have a version there; reads only the index."""

    def ids_at(self, areas: Collection[str]) -> list[str]:
        """Ids of the reports with any version at one of these area codes, sorted."""

    def rewrite(self, report_id: str, versions: Sequence[Report]) -> None:
        """Replace every stored version of `report_id` by `versions` (one report's versions,
        possibly under a new id: DuplicateKeyError if that id is another stored report), in one
        commit. For `areas migrate`, which moves reports to the areas that replaced theirs."""
