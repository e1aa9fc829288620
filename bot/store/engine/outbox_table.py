"""The outbox table: items by id, with indexes of the unfinished ones so sending never scans."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from bot.core.models import OutboxItem, OutboxStatus
from bot.store.engine.tables import Key, Table, TableSpec

# Statuses an item leaves only by being sent again; everything else is the backlog.
FINISHED = frozenset(
    {OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNREACHABLE, OutboxStatus.HELD}
)


def instant(at: datetime) -> float:
    """A sortable number for an aware datetime (times in different zones compare correctly)."""
    if at.tzinfo is None:
        msg = f"naive datetime {at!r}: the outbox compares timezone-aware times only"
        raise ValueError(msg)
    return at.timestamp()


class LazyHeap:
    """Ids ordered by (number, id): O(log n) to add or re-key, O(1) to remove.

    A removed or re-keyed id leaves its old heap entry behind, recognised as stale by its
    sequence number and dropped when it surfaces; the heap is rebuilt when stale entries
    outnumber live ones, so memory stays proportional to the live ids.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int]] = []
        self._live: dict[int, int] = {}  # id -> sequence number of its current entry
        self._seq = 0

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, item_id: int) -> bool:
        return item_id in self._live

    def ids(self) -> list[int]:
        return list(self._live)

    def push(self, item_id: int, key: float) -> None:
        self._seq += 1
        self._live[item_id] = self._seq
        heapq.heappush(self._heap, (key, item_id, self._seq))
        self._maybe_rebuild()

    def discard(self, item_id: int) -> None:
        if self._live.pop(item_id, None) is not None:
            self._maybe_rebuild()

    def first(self) -> int | None:
        """The id with the smallest (number, id), or None."""
        heap = self._heap
        while heap and self._live.get(heap[0][1]) != heap[0][2]:
            heapq.heappop(heap)
        return heap[0][1] if heap else None

    def upto(self, bound: float, limit: int) -> list[int]:
        """Up to `limit` ids with number <= bound, smallest first: O(k log n) for k returned."""
        heap, live = self._heap, self._live
        taken: list[tuple[float, int, int]] = []
        while heap and len(taken) < limit and heap[0][0] <= bound:
            entry = heapq.heappop(heap)
            if live.get(entry[1]) == entry[2]:
                taken.append(entry)
        for entry in taken:  # a read must leave the heap as it was (minus stale entries)
            heapq.heappush(heap, entry)
        return [entry[1] for entry in taken]

    def _maybe_rebuild(self) -> None:
        if len(self._heap) > 2 * len(self._live) + 64:
            self._heap = [e for e in self._heap if self._live.get(e[1]) == e[2]]
            heapq.heapify(self._heap)


class OutboxTable(Table):
    """Outbox items by id, indexed on every change (commits, rollbacks and replay alike):

    - `due`: PENDING ids by next attempt time, for due() and next_due_at();
    - `backlog`: PENDING and INFLIGHT ids by creation time, for backlog();
    - `inflight`: INFLIGHT ids, for crash recovery;
    - `by_job`: every item id of a job, for progress and compaction.

    With `track_changes`, the ids changed since `take_changes()` are kept per job, so a disk
    backend rewrites only the job files that changed.
    """

    def __init__(self, spec: TableSpec, *, track_changes: bool = False) -> None:
        super().__init__(spec)
        self.due = LazyHeap()
        self.backlog = LazyHeap()
        self.inflight: set[int] = set()
        self.by_job: dict[int, set[int]] = {}
        self._track = track_changes
        self._changed: dict[int, set[int]] = {}

    def set(self, key: Key, value: Any) -> None:
        item_id = int(key)  # type: ignore[arg-type]  # outbox items are keyed by int id
        old: OutboxItem | None = self.rows.get(item_id)
        if old is not None:
            self._unindex(old)
        super().set(item_id, value)
        if value is not None:
            self._index(value)

    def load(self, items: list[OutboxItem]) -> None:
        """Add items read from a checkpoint file: indexed, but not changes to write back."""
        for item in items:
            old = self.rows.get(item.id)
            if old is not None:
                self._unindex(old)
            self.rows[item.id] = item
            self._index(item, track=False)

    @property
    def changed(self) -> bool:
        return bool(self._changed)

    def take_changes(self) -> dict[int, set[int]]:
        """Item ids changed (written, deleted or rolled back) per job since the last call."""
        changes, self._changed = self._changed, {}
        return changes

    def mark_changed(self, job_id: int, item_ids: set[int]) -> None:
        """Put back changes a failed checkpoint did not write."""
        self._changed.setdefault(job_id, set()).update(item_ids)

    def _index(self, item: OutboxItem, *, track: bool = True) -> None:
        self.by_job.setdefault(item.job_id, set()).add(item.id)
        if item.status is OutboxStatus.PENDING:
            self.due.push(item.id, instant(item.next_attempt_at))
        elif item.status is OutboxStatus.INFLIGHT:
            self.inflight.add(item.id)
        if item.status not in FINISHED:
            self.backlog.push(item.id, instant(item.created_at))
        if self._track and track:
            self._changed.setdefault(item.job_id, set()).add(item.id)

    def _unindex(self, item: OutboxItem) -> None:
        ids = self.by_job.get(item.job_id)
        if ids is not None:
            ids.discard(item.id)
            if not ids:
                del self.by_job[item.job_id]
        self.due.discard(item.id)
        self.backlog.discard(item.id)
        self.inflight.discard(item.id)
        if self._track:
            self._changed.setdefault(item.job_id, set()).add(item.id)
