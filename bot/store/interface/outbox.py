"""Repository Protocols of what the bot sends on its own: the outbox and the Zalo quota."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.models import JobStatus, OutboxItem, OutboxJob


class OutboxRepo(Protocol):
    """Messages the bot sends on its own, grouped in jobs; written before the first attempt.

    Items PENDING or INFLIGHT are the backlog; the queries about them read indexes, so they
    stay fast however many finished items are stored.
    """

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
        """Store a new RUNNING job under the next id (1, 2, 3…)."""

    def get_job(self, job_id: int) -> OutboxJob | None:
        """The job with this id, or None."""

    def save_job(self, job: OutboxJob) -> None:
        """Replace the job with the same id; KeyError if there is none."""

    def jobs(self, *, status: JobStatus | None = None) -> list[OutboxJob]:
        """Every job (or those with this status), oldest (lowest id) first."""

    def add(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """Store the items under the next ids, in order (their own `id` is ignored)."""

    def get(self, item_id: int) -> OutboxItem | None:
        """The item with this id, or None."""

    def save(self, item: OutboxItem) -> None:
        """Replace the item with the same id (KeyError if none; ValueError if it would move
        to another job); the indexes follow its status and times."""

    def claim(self, item_id: int, *, by: str) -> OutboxItem | None:
        """Take the item for sending, atomically: when it is PENDING and no other item of the
        same chat is INFLIGHT, store it INFLIGHT with `attempts` + 1 and `claimed_by` = `by`, and
        return it as stored. None otherwise (gone, not pending: another instance took it, or
        its chat has an item in flight), with nothing written. Of several instances claiming
        the same item at once, exactly one gets it."""

    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]:
        """Up to `limit` PENDING items with next_attempt_at <= now, by (next_attempt_at, id)."""

    def inflight(self) -> list[OutboxItem]:
        """Items marked INFLIGHT (after a crash: maybe sent, maybe not), by id."""

    def for_job(self, job_id: int) -> list[OutboxItem]:
        """Every item of the job, any status, by id."""

    def backlog(self) -> tuple[int, datetime | None]:
        """How many items are PENDING or INFLIGHT, and the oldest created_at among them."""

    def next_due_at(self) -> datetime | None:
        """The earliest next_attempt_at of a PENDING item, or None."""

    def unfinished(self, job_id: int) -> int:
        """How many items of the job are PENDING or INFLIGHT (read from an index)."""

    def finish_job(self, job: OutboxJob) -> bool:
        """Store `job` (finished: DONE or STOPPED) only if the stored job is still RUNNING;
        False, nothing written, when it was finished already (by another instance)."""

    def compact(self, *, before: datetime, keep_kinds: Collection[str] = ()) -> int:
        """Delete finished items (SENT, FAILED, UNREACHABLE, HELD) of jobs finished (DONE or
        STOPPED) before `before`, and those jobs once empty; return how many items went. Jobs
        of `keep_kinds` are records (a directive's delivery) and stay."""


class QuotaRepo(Protocol):
    """Messages each Zalo bot has spent per month."""

    def used(self, bot: str, month: str) -> int:
        """The count for this bot and month ("2026-11"); 0 if nothing was counted."""

    def add(self, bot: str, month: str, n: int) -> int:
        """Add `n` to the count (in the caller's atomic() block, if any); return the new total."""
