"""Personal data in PostgreSQL: the generic rules (bot/store/repos/personal.py) over finders that
are queries: fields of the stored record by jsonb containment (GIN indexes), report versions by
their reporter and received time, the intake by sender."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from psycopg.types.json import Jsonb

from bot.core.models import Report
from bot.store.postgres.core import PgCore
from bot.store.postgres.tables import PgTable
from bot.store.repos.personal import Pattern, PersonalDataRepo

# Time fields the retention reads, where the table has them as columns.
_TIME_COLUMNS = {("outbox", "created_at"): "created_at"}


class PgPersonalDataRepo(PersonalDataRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._pg = core

    def _table(self, name: str) -> PgTable:
        return cast(PgTable, self._pg.tables[name])

    def _find(self, name: str, *patterns: Pattern) -> list[Any]:
        if not patterns:
            return []
        condition = " OR ".join(["doc::jsonb @> %s"] * len(patterns))
        return self._table(name).where(condition, [Jsonb(p) for p in patterns])

    def _before(self, name: str, field: str, before: datetime) -> list[Any]:
        column = _TIME_COLUMNS.get((name, field))
        if column is not None:
            return self._table(name).where(f"{column} < %s", [before])
        # Stored times are ISO texts with their zone: compared as instants.
        return self._table(name).where("(doc->>%s)::timestamptz < %s", [field, before])

    def _report_versions(
        self, *, reporter: int | None = None, since: float = 0.0, before: datetime | None = None
    ) -> list[Report]:
        table = self._table("reports")
        if reporter is not None:
            return table.where("reporter = %s", [reporter], order="id, version")
        conditions, params = ["TRUE"], []
        if math.isfinite(since):
            conditions.append("received_at >= to_timestamp(%s)")
            params.append(since)
        if before is not None:
            conditions.append("received_at < %s")
            params.append(before)
        return table.where(" AND ".join(conditions), params, order="id, version")

    def _drop_inbox(self, *, senders: Collection[str] = (), before: datetime | None = None) -> int:
        if before is not None:
            gone = self._pg.db.execute(
                "DELETE FROM intake WHERE handled_at IS NULL AND received_at < %s", [before]
            )
        else:
            gone = self._pg.db.execute(
                "DELETE FROM intake WHERE handled_at IS NULL AND sender = ANY(%s)",
                [list(senders)],
            )
        return int(gone.rowcount)
