"""Repository Protocols of directives and their acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Acknowledgement, Directive, OutboxFile


class DirectivesRepo(Protocol):
    """Directives, numbered 1, 2, 3… in order of confirmation."""

    def add(
        self,
        *,
        author: int,
        targets: tuple[str, ...],
        text: str,
        created_at: datetime,
        deadline: datetime | None = None,
        file: OutboxFile | None = None,
    ) -> Directive:
        """Store a new directive under the next id."""

    def get(self, directive_id: int) -> Directive | None:
        """The directive with this id, or None."""

    def save(self, directive: Directive) -> None:
        """Replace the directive with the same id."""

    def all(self) -> list[Directive]:
        """Every directive, by id."""


class AcksRepo(Protocol):
    """Who acknowledged which directive; one record per (directive, person)."""

    def add(self, ack: Acknowledgement) -> None:
        """Store an acknowledgement; DuplicateKeyError if this person already acknowledged."""

    def get(self, directive_id: int, person_id: int) -> Acknowledgement | None:
        """This person's acknowledgement of the directive, or None."""

    def for_directive(self, directive_id: int) -> dict[int, Acknowledgement]:
        """Everyone who acknowledged the directive, by person id, in O(their number)."""
