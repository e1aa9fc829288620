"""In-memory tables of records by key with the indexes the repositories query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.core.absences import Absence
from bot.core.admin_records import AccessEntry, AuditEntry, Invite
from bot.core.messages import Incoming
from bot.core.models import (
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
from bot.core.review_records import PeriodCheck, ReportReturn
from bot.core.webhook_records import HookDelivery
from bot.store.engine.report_index import ReportIndex, row_of

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
class ReminderFiring:
    """One (reminder, due moment) that fired, recorded so that it fires once."""

    reminder_id: int
    due_at: datetime
    fired_at: datetime
    instance: str = ""


def firing_key(reminder_id: int, due: datetime) -> tuple[int, str]:
    """The key of a firing: the same instant is the same key, whatever its zone."""
    if due.tzinfo is None:
        msg = f"naive datetime {due!r}: a firing's due time must be timezone-aware"
        raise ValueError(msg)
    return (reminder_id, due.astimezone(UTC).isoformat())


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
        TableSpec("access_log", AccessEntry, lambda r: r.id),
        TableSpec("invites", Invite, lambda r: r.code),
        TableSpec("webhook_deliveries", HookDelivery, lambda r: r.id),
        TableSpec("report_returns", ReportReturn, lambda r: r.number),
        TableSpec("period_checks", PeriodCheck, lambda r: (r.area, r.period)),
        TableSpec("absences", Absence, lambda r: r.id),
        TableSpec(
            "reminder_firings", ReminderFiring, lambda r: firing_key(r.reminder_id, r.due_at)
        ),
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
