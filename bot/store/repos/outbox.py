"""The outbox repository (bulk-send jobs and their items) and the Zalo quota counters."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.models import JobStatus, OutboxItem, OutboxJob, OutboxStatus
from bot.store.engine.outbox_table import FINISHED, OutboxTable, instant
from bot.store.engine.tables import QuotaCount, Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class OutboxRepo:
    """Jobs and items; every query about unfinished items reads an index, never all items."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._items = cast(OutboxTable, core.tables["outbox"])
        self._jobs = cast(Table, core.tables["outbox_jobs"])

    # --- jobs ----------------------------------------------------------------------------------

    def add_job(
        self,
        *,
        kind: str,
        created_at: datetime,
        total: int,
        requested_by: int | None = None,
        report_chat: str = "",
        ref: str = "",
    ) -> OutboxJob:
        with self._core.atomic():
            job = OutboxJob(
                id=next_id(self._core, "outbox_jobs"),
                kind=kind,
                created_at=created_at,
                total=total,
                requested_by=requested_by,
                report_chat=report_chat,
                ref=ref,
            )
            self._core.put("outbox_jobs", job.id, job)
        return job

    def get_job(self, job_id: int) -> OutboxJob | None:
        return cast(OutboxJob | None, self._jobs.get(job_id))

    def save_job(self, job: OutboxJob) -> None:
        if self._jobs.get(job.id) is None:
            msg = f"outbox job {job.id} is not stored (add_job assigns ids)"
            raise KeyError(msg)
        self._core.put("outbox_jobs", job.id, job)

    def jobs(self, *, status: JobStatus | None = None) -> list[OutboxJob]:
        # Jobs are few (one per directive, reminder round or digest run, compacted away).
        found = [j for j in self._jobs.values() if status is None or j.status is status]
        return sorted(found, key=lambda j: j.id)

    # --- items ---------------------------------------------------------------------------------

    def add(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        if not items:
            return []
        with self._core.atomic():
            # One id counter write for the whole batch, not one per item.
            first = next_id(self._core, "outbox", len(items))
            stored = [replace(item, id=first + n) for n, item in enumerate(items)]
            for item in stored:
                self._core.put("outbox", item.id, item)
        return stored

    def get(self, item_id: int) -> OutboxItem | None:
        return cast(OutboxItem | None, self._items.get(item_id))

    def save(self, item: OutboxItem) -> None:
        old: OutboxItem | None = self._items.get(item.id)
        if old is None:
            msg = f"outbox item {item.id} is not stored (add assigns ids)"
            raise KeyError(msg)
        if old.job_id != item.job_id:
            msg = f"outbox item {item.id} belongs to job {old.job_id}, not {item.job_id}"
            raise ValueError(msg)
        self._core.put("outbox", item.id, item)

    def claim(self, item_id: int, *, by: str) -> OutboxItem | None:
        item: OutboxItem | None = self._items.get(item_id)
        if item is None or item.status is not OutboxStatus.PENDING:
            return None
        for other in self._items.inflight:
            if self._item(other).chat_key == item.chat_key:
                return None  # one at a time per chat: its order holds
        taken = replace(
            item, status=OutboxStatus.INFLIGHT, attempts=item.attempts + 1, claimed_by=by
        )
        self._core.put("outbox", item_id, taken)
        return taken

    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]:
        if limit <= 0:
            return []
        ids = self._items.due.upto(instant(now), limit)
        return [self._item(item_id) for item_id in ids]

    def inflight(self) -> list[OutboxItem]:
        return [self._item(item_id) for item_id in sorted(self._items.inflight)]

    def for_job(self, job_id: int) -> list[OutboxItem]:
        return [self._item(item_id) for item_id in sorted(self._items.by_job.get(job_id, ()))]

    def backlog(self) -> tuple[int, datetime | None]:
        count, oldest = len(self._items.backlog), self._items.backlog.first()
        return count, None if oldest is None else self._item(oldest).created_at

    def next_due_at(self) -> datetime | None:
        first = self._items.due.first()
        return None if first is None else self._item(first).next_attempt_at

    def unfinished(self, job_id: int) -> int:
        rows = self._items.rows
        return sum(1 for i in self._items.by_job.get(job_id, ()) if rows[i].status not in FINISHED)

    def finish_job(self, job: OutboxJob) -> bool:
        stored = self.get_job(job.id)
        if stored is None or stored.status is not JobStatus.RUNNING:
            return False
        self._core.put("outbox_jobs", job.id, job)
        return True

    def compact(self, *, before: datetime, keep_kinds: Collection[str] = ()) -> int:
        """Delete the finished items of jobs that finished (DONE or STOPPED, with finished_at)
        before `before`, and each such job once none of its items is left; returns the number
        of items deleted. Unfinished items, running jobs and items of no stored job stay."""
        cut = instant(before)
        gone = 0
        with self._core.atomic():
            for job in self.jobs():
                if job.status is JobStatus.RUNNING or job.finished_at is None:
                    continue
                if job.kind in keep_kinds:
                    continue
                if instant(job.finished_at) >= cut:
                    continue
                left = 0
                for item in self.for_job(job.id):
                    if item.status in FINISHED:
                        self._core.put("outbox", item.id, None)
                        gone += 1
                    else:
                        left += 1
                if not left:
                    self._core.put("outbox_jobs", job.id, None)
        return gone

    def _item(self, item_id: int) -> OutboxItem:
        item = self._items.get(item_id)
        if item is None:  # the index and the records disagree: a bug, not a user error
            msg = f"outbox item {item_id} is indexed but missing"
            raise LookupError(msg)
        return cast(OutboxItem, item)


class QuotaRepo:
    """Messages spent per Zalo bot and month; counted in the same commit as the send mark."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["quota"])

    def used(self, bot: str, month: str) -> int:
        entry: QuotaCount | None = self._table.get((bot, _month(month)))
        return 0 if entry is None else entry.used

    def add(self, bot: str, month: str, n: int) -> int:
        total = self.used(bot, month) + n
        self._core.put("quota", (bot, month), QuotaCount(bot, month, total))
        return total


def _month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        msg = f"a quota month looks like '2026-11', not {month!r}"
        raise ValueError(msg)
    return month
