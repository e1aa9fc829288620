"""In-memory tables of records by key with the indexes the repositories query."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.messages import Incoming
from bot.models import (
    Acknowledgement,
    Clarification,
    Directive,
    GroupBinding,
    HandbookNote,
    LinkCode,
    OutboxItem,
    OutboxJob,
    Person,
    Prompt,
    Question,
    Registration,
    Reminder,
    Report,
    RumourSighting,
    Survey,
    SurveyAnswer,
)
from bot.models_ops import AuditEntry

Key = int | str | tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class InboundMark:
    """One platform update key already taken in, and when."""

    key: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """An event taken in but not yet handled: kept so a crash before handling loses nothing."""

    key: str
    incoming: Incoming
    at: datetime


@dataclass(frozen=True, slots=True)
class MetaEntry:
    """One named setting or counter."""

    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class QuotaCount:
    """Messages one Zalo bot has spent in one month ("2026-11")."""

    bot: str
    month: str
    used: int


@dataclass(frozen=True, slots=True)
class TableSpec:
    """What a table holds and how a record's key is found."""

    name: str
    record: type
    key_of: Callable[[Any], Key]


SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("meta", MetaEntry, lambda r: r.key),
        TableSpec("people", Person, lambda r: r.id),
        TableSpec("registrations", Registration, lambda r: r.id),
        TableSpec("groups", GroupBinding, lambda r: r.chat_key),
        TableSpec("link_codes", LinkCode, lambda r: r.code),
        TableSpec("prompts", Prompt, lambda r: (r.chat_key, r.user_key)),
        TableSpec("inbound", InboundMark, lambda r: r.key),
        TableSpec("inbox", InboxEntry, lambda r: r.key),
        TableSpec("reports", Report, lambda r: (r.id, r.version)),
        TableSpec("outbox", OutboxItem, lambda r: r.id),
        TableSpec("outbox_jobs", OutboxJob, lambda r: r.id),
        TableSpec("quota", QuotaCount, lambda r: (r.bot, r.month)),
        TableSpec("directives", Directive, lambda r: r.id),
        TableSpec("acks", Acknowledgement, lambda r: (r.directive_id, r.person_id)),
        TableSpec("reminders", Reminder, lambda r: r.id),
        TableSpec("questions", Question, lambda r: r.id),
        TableSpec("handbook", HandbookNote, lambda r: r.id),
        TableSpec("clarifications", Clarification, lambda r: r.id),
        TableSpec("sightings", RumourSighting, lambda r: r.id),
        TableSpec("surveys", Survey, lambda r: r.id),
        TableSpec("survey_answers", SurveyAnswer, lambda r: (r.survey_id, r.voter)),
        TableSpec("audit", AuditEntry, lambda r: r.id),
    )
}


def key_to_json(key: Key) -> Any:
    """Composite keys travel as JSON lists."""
    return list(key) if isinstance(key, tuple) else key


def key_from_json(raw: Any) -> Key:
    return tuple(raw) if isinstance(raw, list) else raw


class AnyTable(Protocol):
    """What the transaction core needs from a table."""

    def get(self, key: Key) -> Any: ...

    def set(self, key: Key, value: Any) -> None: ...


class Table:
    """Every record of one kind, in memory, by key."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self.rows: dict[Key, Any] = {}

    def get(self, key: Key) -> Any:
        return self.rows.get(key)

    def set(self, key: Key, value: Any) -> None:
        """Put `value` under `key`, or delete the key when `value` is None."""
        if value is None:
            self.rows.pop(key, None)
        else:
            self.rows[key] = value

    def values(self) -> list[Any]:
        return list(self.rows.values())

    def __len__(self) -> int:
        return len(self.rows)


class PeopleTable(Table):
    """People, with an index from account key to person id kept right on every change."""

    def __init__(self, spec: TableSpec) -> None:
        super().__init__(spec)
        self.accounts: dict[str, int] = {}

    def set(self, key: Key, value: Any) -> None:
        old: Person | None = self.rows.get(key)
        if old is not None:
            for account in old.accounts:
                # Only drop entries that still point here: the key may already be someone else's.
                if self.accounts.get(account.key) == key:
                    del self.accounts[account.key]
        super().set(key, value)
        if value is not None:
            for account in value.accounts:
                self.accounts[account.key] = value.id

    def by_account(self, user_key: str) -> Person | None:
        person_id = self.accounts.get(user_key)
        return None if person_id is None else self.rows.get(person_id)


class AckTable(Table):
    """Acknowledgements, with an index by directive so one directive's count is O(its acks)."""

    def __init__(self, spec: TableSpec) -> None:
        super().__init__(spec)
        self.by_directive: dict[int, dict[int, Acknowledgement]] = {}

    def set(self, key: Key, value: Any) -> None:
        assert isinstance(key, tuple)
        directive_id, person_id = key
        super().set(key, value)
        acks = self.by_directive.setdefault(directive_id, {})
        if value is None:
            acks.pop(person_id, None)
        else:
            acks[person_id] = value


class Row(NamedTuple):
    """What the report index keeps of one report version (the record itself may be on disk)."""

    version: int
    period: str
    type: str
    area: str
    reporter: int
    received: float  # POSIX timestamp of received_at


def row_of(report: Report) -> Row:
    return Row(
        report.version,
        report.period,
        report.type,
        report.area,
        report.reporter,
        report.received_at.timestamp(),
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
    )


class ReportIndex:
    """Every report version's row, and the report ids by (type, period) and by reporter.

    Small enough to hold for 100k reports (tens of MB), so queries never scan records.
    Buckets follow the latest version: a correction that moves a report to another period
    moves it in the index too.
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[Row]] = {}
        self._buckets: dict[tuple[str, str], set[str]] = {}
        self._by_reporter: dict[int, set[str]] = {}

    def add(self, report_id: str, row: Row) -> None:
        rows = self._rows.get(report_id)
        if rows is None:
            self._rows[report_id] = [row]
            self._link(report_id, row)
            return
        self._unlink(report_id, rows[-1])
        at = bisect.bisect_left([r.version for r in rows], row.version)
        if at < len(rows) and rows[at].version == row.version:
            rows[at] = row
        else:
            rows.insert(at, row)
        self._link(report_id, rows[-1])

    def load(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Add many rows at start-up; the common case (a report id not seen yet) takes a short
        path, since 100k rows go through here before the bot can answer."""
        own, buckets, by_reporter = self._rows, self._buckets, self._by_reporter
        for report_id, row in rows:
            if report_id in own:
                self.add(report_id, row)
                continue
            own[report_id] = [row]
            bucket = buckets.get((row.type, row.period))
            if bucket is None:
                bucket = buckets[(row.type, row.period)] = set()
            bucket.add(report_id)
            mine = by_reporter.get(row.reporter)
            if mine is None:
                mine = by_reporter[row.reporter] = set()
            mine.add(report_id)

    def remove(self, report_id: str, version: int) -> None:
        rows = self._rows.get(report_id)
        if not rows:
            return
        self._unlink(report_id, rows[-1])
        rows[:] = [r for r in rows if r.version != version]
        if rows:
            self._link(report_id, rows[-1])
        else:
            del self._rows[report_id]

    def rows(self, report_id: str) -> list[Row]:
        return list(self._rows.get(report_id, ()))

    def head(self, report_id: str) -> Row | None:
        rows = self._rows.get(report_id)
        return rows[-1] if rows else None

    def row(self, report_id: str, version: int) -> Row | None:
        for row in self._rows.get(report_id, ()):
            if row.version == version:
                return row
        return None

    def ids_in(self, type_: str, period: str) -> set[str]:
        return set(self._buckets.get((type_, period), ()))

    def ids_by(self, reporter: int) -> set[str]:
        return set(self._by_reporter.get(reporter, ()))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def _link(self, report_id: str, head: Row) -> None:
        self._buckets.setdefault((head.type, head.period), set()).add(report_id)
        self._by_reporter.setdefault(head.reporter, set()).add(report_id)

    def _unlink(self, report_id: str, head: Row) -> None:
        self._buckets.get((head.type, head.period), set()).discard(report_id)
        self._by_reporter.get(head.reporter, set()).discard(report_id)


class ReportTable:
    """Report versions by (id, version), all in memory, with their index."""

    def __init__(self) -> None:
        self.index = ReportIndex()
        self._records: dict[Key, Report] = {}

    def get(self, key: Key) -> Report | None:
        return self._records.get(key)

    def set(self, key: Key, value: Report | None) -> None:
        report_id, version = key  # type: ignore[misc]  # reports are keyed by (id, version)
        if value is None:
            self._records.pop(key, None)
            self.index.remove(report_id, version)
        else:
            self._records[key] = value
            self.index.add(report_id, row_of(value))
