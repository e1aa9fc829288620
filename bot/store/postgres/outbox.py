"""The outbox and the Zalo quota in PostgreSQL: items claimed so that no two instances send the
same one, the queries about the backlog as SQL over partial indexes, counts raised atomically."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import cast

from psycopg.types.json import Json

from bot.core.models import JobStatus, OutboxItem, OutboxJob, OutboxStatus
from bot.store.engine.codec import encode
from bot.store.engine.outbox_table import FINISHED
from bot.store.postgres.core import PgCore
from bot.store.postgres.tables import PgTable
from bot.store.repos.outbox import OutboxRepo, QuotaRepo, _month

_FINISHED = [status.value for status in FINISHED]


class PgOutboxRepo(OutboxRepo):
    """Jobs and items (adding and saving as the generic repository does, over the tables);
    every query about items is SQL."""

    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._pg = core
        self._db = core.db
        self._table = cast(PgTable, core.tables["outbox"])

    def add(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        if not items:
            return []
        with self._pg.atomic():
            first = self._pg.allocate("outbox", len(items))
            stored = [replace(item, id=first + n) for n, item in enumerate(items)]
            self._table.write_many(stored)
        return stored

    def claim(self, item_id: int, *, by: str) -> OutboxItem | None:
        with self._pg.atomic():
            # Another instance holding the row is claiming it: not ours, and no waiting.
            row = self._db.one(
                "SELECT doc, chat_key FROM outbox WHERE id = %s AND status = 'pending' "
                "FOR UPDATE SKIP LOCKED",
                [item_id],
            )
            if row is None:
                return None
            doc, chat_key = row
            # One claim at a time per chat, across instances, until this transaction ends.
            self._db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [chat_key])
            busy = self._db.one(
                "SELECT 1 FROM outbox WHERE chat_key = %s AND status = 'inflight' AND id <> %s "
                "LIMIT 1",
                [chat_key, item_id],
            )
            if busy is not None:
                return None
            item = cast(OutboxItem, self._table.decode(doc))
            taken = replace(
                item, status=OutboxStatus.INFLIGHT, attempts=item.attempts + 1, claimed_by=by
            )
            self._pg.put("outbox", item_id, taken)
        return taken

    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]:
        if limit <= 0:
            return []
        return self._table.where(
            "status = 'pending' AND next_attempt_at <= %s", [now],
            order=f"next_attempt_at, id LIMIT {int(limit)}",
        )  # fmt: skip

    def inflight(self) -> list[OutboxItem]:
        return self._table.where("status = 'inflight'", order="id")

    def for_job(self, job_id: int) -> list[OutboxItem]:
        return self._table.where("job_id = %s", [job_id], order="id")

    def backlog(self) -> tuple[int, datetime | None]:
        (count,) = self._db.one(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'inflight')"
        )
        if not count:
            return 0, None
        # The stored time as written (its zone too), like the other backends give it back.
        first = self._table.where(
            "status IN ('pending', 'inflight')", order="created_at, id LIMIT 1"
        )
        return int(count), first[0].created_at

    def next_due_at(self) -> datetime | None:
        first = self._table.where("status = 'pending'", order="next_attempt_at, id LIMIT 1")
        return first[0].next_attempt_at if first else None

    def unfinished(self, job_id: int) -> int:
        row = self._db.one(
            "SELECT count(*) FROM outbox WHERE job_id = %s AND status IN ('pending', 'inflight')",
            [job_id],
        )
        return int(row[0]) if row is not None else 0

    def finish_job(self, job: OutboxJob) -> bool:
        # One statement: of two instances finishing the same job, the second changes nothing.
        done = self._db.execute(
            "UPDATE outbox_jobs SET doc = %s WHERE id = %s AND doc->>'status' = %s",
            [Json(encode(job)), job.id, JobStatus.RUNNING.value],
        )
        return done.rowcount == 1

    def compact(self, *, before: datetime, keep_kinds: Collection[str] = ()) -> int:
        with self._pg.atomic():
            jobs = [
                job.id for job in self.jobs()
                if job.status.value != "running" and job.finished_at is not None
                and job.kind not in keep_kinds and job.finished_at < before
            ]  # fmt: skip
            if not jobs:
                return 0
            gone = self._db.execute(
                "DELETE FROM outbox WHERE job_id = ANY(%s) AND status = ANY(%s)",
                [jobs, _FINISHED],
            ).rowcount
            self._db.execute(
                "DELETE FROM outbox_jobs j WHERE j.id = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM outbox o WHERE o.job_id = j.id)",
                [jobs],
            )
        return int(gone)


class PgQuotaRepo(QuotaRepo):
    """Counts raised in one statement, so two instances sending at once both count."""

    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._db = core.db

    def add(self, bot: str, month: str, n: int) -> int:
        (total,) = self._db.one(
            "INSERT INTO quota (bot, month, doc) VALUES (%(bot)s, %(month)s, jsonb_build_object("
            "'bot', %(bot)s::text, 'month', %(month)s::text, 'used', %(n)s::bigint)) "
            "ON CONFLICT (bot, month) DO UPDATE SET doc = jsonb_set(quota.doc, '{used}', "
            "to_jsonb((quota.doc->>'used')::bigint + %(n)s::bigint)) "
            "RETURNING (doc->>'used')::bigint",
            {"bot": bot, "month": _month(month), "n": n},
        )
        return int(total)
