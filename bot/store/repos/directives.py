"""Directives and their acknowledgements, over the transaction core."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.core.models import Acknowledgement, Directive, OutboxFile
from bot.store.base import DuplicateKeyError
from bot.store.engine.tables import AckTable, Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class DirectivesRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["directives"])

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
        with self._core.atomic():
            directive = Directive(
                id=next_id(self._core, "directives"),
                author=author,
                targets=targets,
                text=text,
                created_at=created_at,
                deadline=deadline,
                file=file,
            )
            self.save(directive)
        return directive

    def get(self, directive_id: int) -> Directive | None:
        return cast(Directive | None, self._table.get(directive_id))

    def save(self, directive: Directive) -> None:
        self._core.put("directives", directive.id, directive)

    def all(self) -> list[Directive]:
        return sorted(self._table.values(), key=lambda d: d.id)


class AcksRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(AckTable, core.tables["acks"])

    def add(self, ack: Acknowledgement) -> None:
        if self.get(ack.directive_id, ack.person_id) is not None:
            msg = f"person {ack.person_id} already acknowledged directive {ack.directive_id}"
            raise DuplicateKeyError(msg)
        self._core.put("acks", (ack.directive_id, ack.person_id), ack)

    def get(self, directive_id: int, person_id: int) -> Acknowledgement | None:
        return self._table.by_directive.get(directive_id, {}).get(person_id)

    def for_directive(self, directive_id: int) -> dict[int, Acknowledgement]:
        """Who acknowledged the directive, by person id (a copy)."""
        return dict(self._table.by_directive.get(directive_id, {}))
