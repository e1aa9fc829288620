"""Repository Protocol of one person's data across tables, for retention, export and erase."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol


class PersonalDataRepo(Protocol):
    """Personal data across tables, for the retention purge, `people export` and `people erase`.

    Every method changes only what it names and commits in one block."""

    def about(self, person_id: int) -> dict[str, Any]:
        """Everything stored about one person, as JSON-ready lists per table."""

    def erase(
        self, person_id: int, *, at: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> dict[str, Any]:
        """Remove the person's identity everywhere, keeping report numbers; counts per table
        and "files": the stored file ids that belonged to them (for the caller to delete)."""

    def scrub_reports(
        self, *, since: float, before: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> tuple[int, list[str]]:
        """Blank the text fields and photo of report versions received in [since, before);
        the number changed and the photo file ids dropped."""

    def scrub_questions(self, *, before: datetime) -> int:
        """Blank the text and answer of questions asked before `before`."""

    def scrub_return_reasons(self, *, before: datetime) -> int:
        """Blank the reason officers typed when they returned a report before `before`."""

    def purge_inbox(self, *, before: datetime) -> int:
        """Drop stored incoming events taken in before `before`."""

    def scrub_outbox(self, *, before: datetime) -> int:
        """Blank the text of finished outbox items created before `before`."""

    def scrub_sightings(self, *, before: datetime) -> int:
        """Blank the sender and text of rumour sightings seen before `before`."""
