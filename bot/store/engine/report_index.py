"""The report index: a few fields of every report version, so report queries never scan records.

Built at start-up from the shards' index files (see bot/store/embedded/shards.py) before the bot
can answer, so loading is what it is shaped for: a shard's rows arrive as columns, a report with
one version (nearly all of them) is held as its bare Row, and the per-reporter recency lists are
only built for the people who ask.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import repeat
from typing import Any, NamedTuple

from bot.core.models import Report


class Row(NamedTuple):
    """What the report index keeps of one report version (the record itself may be on disk)."""

    version: int
    period: str
    type: str
    area: str
    reporter: int
    received: float  # POSIX timestamp of received_at
    number: int = 0  # the report's short number (Report.number); 0 in stores before it


def row_of(report: Report) -> Row:
    return Row(
        report.version,
        report.period,
        report.type,
        report.area,
        report.reporter,
        report.received_at.timestamp(),
        report.number,
    )


def row_of_doc(doc: dict[str, Any]) -> Row:
    """The index row of an encoded report, without decoding the whole record."""
    return Row(
        doc.get("version", 1),
        doc["period"],
        doc["type"],
        doc["area"],
        doc["reporter"],
        datetime.fromisoformat(doc["received_at"]).timestamp(),
        doc.get("number", 0),
    )


# A report's versions: the bare Row when there is one (the common case, and cheap to load),
# else a list sorted by version; the last one is the head.
_Versions = Row | list[Row]


def _as_list(versions: _Versions) -> list[Row]:
    return versions if type(versions) is list else [versions]  # type: ignore[list-item]


class ReportIndex:
    """Every report version's row, and the report ids by (type, period), by reporter and by
    number.

    Small enough to hold for 100k reports (tens of MB), so queries never scan records.
    Buckets follow the latest version: a correction that moves a report to another period
    moves it in the index too. A reporter's reports newest first (by the head's received time)
    are kept sorted once someone asked for them, so "my last reports" costs O(limit).
    """

    def __init__(self) -> None:
        self._rows: dict[str, _Versions] = {}
        self._buckets: dict[tuple[str, str], set[str]] = {}
        self._by_reporter: dict[int, set[str]] = {}
        # reporter -> sorted [(-head.received, report id)], built on the first latest_by().
        self._recent: dict[int, list[tuple[float, str]]] = {}
        self._by_number: dict[int, str] = {}
        self.last_number = 0  # the highest number ever given; the next report gets one more

    def add(self, report_id: str, row: Row) -> None:
        old = self._rows.get(report_id)
        if old is None:
            self._rows[report_id] = row
            self._link(report_id, row)
            return
        rows = _as_list(old)
        self._unlink(report_id, rows[-1])
        at = bisect.bisect_left([r.version for r in rows], row.version)
        if at < len(rows) and rows[at].version == row.version:
            rows[at] = row
        else:
            rows.insert(at, row)
        self._rows[report_id] = rows if len(rows) > 1 else rows[0]
        self._link(report_id, rows[-1])

    def load(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Add many rows at start-up, one by one (an index file in the older row layout)."""
        self._recent.clear()
        for report_id, row in rows:
            self.add(report_id, row)

    def load_columns(
        self,
        period: str,
        type_: str,
        ids: Sequence[str],
        columns: tuple[Sequence[int], Sequence[str], Sequence[int], Sequence[float]],
        numbers: Sequence[int] | None = None,
    ) -> None:
        """Add one shard's rows at start-up: `columns` are its versions, areas, reporters and
        received times, in the order of `ids` (and `numbers`, absent in older index files).
        The common case (ids new and each once) is built in bulk, since 100k rows go through
        here before the bot can answer."""
        versions, areas, reporters, received = columns
        self._recent.clear()
        rows = list(
            map(Row, versions, repeat(period), repeat(type_), areas, reporters, received,
                numbers if numbers is not None else repeat(0))
        )  # fmt: skip
        own = self._rows
        if len(set(ids)) != len(ids) or not own.keys().isdisjoint(ids):
            for report_id, row in zip(ids, rows, strict=True):
                self.add(report_id, row)
            return
        own.update(zip(ids, rows, strict=True))
        if numbers is not None:
            self._by_number.update(zip(numbers, ids, strict=True))
            self._by_number.pop(0, None)
            self.last_number = max(self.last_number, max(numbers, default=0))
        bucket = self._buckets.get((type_, period))
        if bucket is None:
            bucket = self._buckets[(type_, period)] = set()
        bucket.update(ids)
        by_reporter = self._by_reporter
        for reporter, report_id in zip(reporters, ids, strict=True):
            mine = by_reporter.get(reporter)
            if mine is None:
                mine = by_reporter[reporter] = set()
            mine.add(report_id)

    def remove(self, report_id: str, version: int) -> None:
        old = self._rows.get(report_id)
        if old is None:
            return
        rows = _as_list(old)
        self._unlink(report_id, rows[-1])
        rows = [r for r in rows if r.version != version]
        if rows:
            self._rows[report_id] = rows if len(rows) > 1 else rows[0]
            self._link(report_id, rows[-1])
        else:
            del self._rows[report_id]

    def rows(self, report_id: str) -> list[Row]:
        old = self._rows.get(report_id)
        return [] if old is None else list(_as_list(old))

    def head(self, report_id: str) -> Row | None:
        old = self._rows.get(report_id)
        if old is None:
            return None
        return old[-1] if type(old) is list else old  # type: ignore[return-value]

    def row(self, report_id: str, version: int) -> Row | None:
        old = self._rows.get(report_id)
        if old is None:
            return None
        for row in _as_list(old):
            if row.version == version:
                return row
        return None

    def ids_in(self, type_: str, period: str) -> set[str]:
        return set(self._buckets.get((type_, period), ()))

    def ids_by(self, reporter: int) -> set[str]:
        return set(self._by_reporter.get(reporter, ()))

    def by_number(self, number: int) -> str | None:
        """The id of the report with this short number, or None."""
        return self._by_number.get(number) if number > 0 else None

    def latest_by(self, reporter: int, limit: int) -> list[tuple[str, int]]:
        """(report id, head version) of the reporter's `limit` last received reports, newest
        first (ties by report id)."""
        recent = self._recent.get(reporter)
        if recent is None:
            heads = ((self.head(i), i) for i in self._by_reporter.get(reporter, ()))
            recent = sorted((-h.received, i) for h, i in heads if h is not None)
            self._recent[reporter] = recent
        picked = []
        for _, report_id in recent[:limit]:
            head = self.head(report_id)
            assert head is not None  # the recency list follows the heads
            picked.append((report_id, head.version))
        return picked

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def _link(self, report_id: str, head: Row) -> None:
        if head.number:
            self._by_number[head.number] = report_id
            self.last_number = max(self.last_number, head.number)
        self._buckets.setdefault((head.type, head.period), set()).add(report_id)
        self._by_reporter.setdefault(head.reporter, set()).add(report_id)
        recent = self._recent.get(head.reporter)
        if recent is not None:
            bisect.insort(recent, (-head.received, report_id))

    def _unlink(self, report_id: str, head: Row) -> None:
        if self._by_number.get(head.number) == report_id:
            del self._by_number[head.number]
        self._buckets.get((head.type, head.period), set()).discard(report_id)
        self._by_reporter.get(head.reporter, set()).discard(report_id)
        recent = self._recent.get(head.reporter)
        if recent is not None:
            entry = (-head.received, report_id)
            at = bisect.bisect_left(recent, entry)
            if at < len(recent) and recent[at] == entry:
                del recent[at]
