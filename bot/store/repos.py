"""The repositories of bot.store.base, written once over the transaction core for every backend."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.core.messages import Incoming
from bot.core.models import (
    Account,
    GroupBinding,
    LinkCode,
    Person,
    Prompt,
    Registration,
    RegistrationStatus,
    Report,
    RoleGrant,
)
from bot.store.base import DuplicateKeyError
from bot.store.codec import native
from bot.store.core import Core
from bot.store.tables import (
    InboundMark,
    InboxEntry,
    MetaEntry,
    PeopleTable,
    ReportTable,
    Table,
)


def next_id(core: Core, table: str, count: int = 1) -> int:
    """The next short id of `table` (the first of `count` in a row), kept in meta so it moves
    in the same commit as the records; ids are never reused, even after a delete."""
    counter = f"next_id.{table}"
    entry: MetaEntry | None = core.get("meta", counter)
    if entry is None:
        rows = cast(Table, core.tables[table]).rows
        value = max((int(k) for k in rows), default=0) + 1  # type: ignore[call-overload]
    else:
        value = int(entry.value)
    core.put("meta", counter, MetaEntry(counter, value + count))
    return value


class PeopleRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(PeopleTable, core.tables["people"])

    def add(
        self,
        *,
        name: str,
        accounts: tuple[Account, ...] = (),
        roles: tuple[RoleGrant, ...] = (),
        created_at: datetime,
        language: str = "",
    ) -> Person:
        with self._core.atomic():
            person = Person(
                id=next_id(self._core, "people"),
                name=name,
                accounts=tuple(accounts),
                roles=tuple(roles),
                language=language,
                created_at=created_at,
            )
            self.save(person)
        return person

    def get(self, person_id: int) -> Person | None:
        return cast(Person | None, self._table.get(person_id))

    def by_account(self, user_key: str) -> Person | None:
        return self._table.by_account(user_key)

    def save(self, person: Person) -> None:
        for account in person.accounts:
            owner = self._table.accounts.get(account.key)
            if owner is not None and owner != person.id:
                msg = f"account {account.key} belongs to person {owner}"
                raise DuplicateKeyError(msg)
        self._core.put("people", person.id, person)

    def all(self) -> list[Person]:
        return sorted(self._table.values(), key=lambda p: p.id)


class RegistrationsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["registrations"])

    def add(self, *, person_id: int, area: str, requested_at: datetime) -> Registration:
        with self._core.atomic():
            reg = Registration(
                id=next_id(self._core, "registrations"),
                person_id=person_id,
                area=area,
                status=RegistrationStatus.PENDING,
                requested_at=requested_at,
            )
            self.save(reg)
        return reg

    def get(self, reg_id: int) -> Registration | None:
        return cast(Registration | None, self._table.get(reg_id))

    def save(self, reg: Registration) -> None:
        self._core.put("registrations", reg.id, reg)

    def pending(self) -> list[Registration]:
        return self._sorted(
            r for r in self._table.values() if r.status is RegistrationStatus.PENDING
        )

    def for_person(self, person_id: int) -> list[Registration]:
        return self._sorted(r for r in self._table.values() if r.person_id == person_id)

    @staticmethod
    def _sorted(regs: Any) -> list[Registration]:
        return sorted(regs, key=lambda r: r.id)


class GroupsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["groups"])

    def save(self, binding: GroupBinding) -> None:
        self._core.put("groups", binding.chat_key, binding)

    def get(self, chat_key: str) -> GroupBinding | None:
        return cast(GroupBinding | None, self._table.get(chat_key))

    def all(self) -> list[GroupBinding]:
        return sorted(self._table.values(), key=lambda g: g.chat_key)

    def remove(self, chat_key: str) -> None:
        if self._table.get(chat_key) is not None:
            self._core.put("groups", chat_key, None)


class LinkCodesRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["link_codes"])

    def add(self, code: LinkCode) -> None:
        self._core.put("link_codes", code.code, code)

    def take(self, code: str, *, now: datetime) -> LinkCode | None:
        found: LinkCode | None = self._table.get(code)
        if found is None or found.used or found.expires_at <= now:
            return None
        taken = replace(found, used=True)
        self._core.put("link_codes", code, taken)
        return taken

    def purge(self, *, now: datetime) -> int:
        gone = [c.code for c in self._table.values() if c.used or c.expires_at <= now]
        with self._core.atomic():
            for code in gone:
                self._core.put("link_codes", code, None)
        return len(gone)


class PromptsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["prompts"])

    def set(self, prompt: Prompt) -> None:
        self._core.put("prompts", (prompt.chat_key, prompt.user_key), prompt)

    def get(self, chat_key: str, user_key: str) -> Prompt | None:
        return cast(Prompt | None, self._table.get((chat_key, user_key)))

    def clear(self, chat_key: str, user_key: str) -> None:
        if self._table.get((chat_key, user_key)) is not None:
            self._core.put("prompts", (chat_key, user_key), None)

    def take_expired(self, *, now: datetime) -> list[Prompt]:
        gone = [
            p for p in self._table.values() if p.expires_at is not None and p.expires_at <= now
        ]
        with self._core.atomic():
            for prompt in gone:
                self._core.put("prompts", (prompt.chat_key, prompt.user_key), None)
        return gone


class InboundRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["inbound"])

    def seen(self, key: str) -> bool:
        return self._table.get(key) is not None

    def mark(self, key: str, *, at: datetime) -> None:
        with self._core.atomic():
            self._core.put("inbound", key, InboundMark(key, at))
            if self._core.get("inbox", key) is not None:
                self._core.put("inbox", key, None)

    def receive(self, key: str, incoming: Incoming, *, at: datetime) -> None:
        self._core.put("inbox", key, InboxEntry(key, incoming, at))

    def waiting(self) -> list[Incoming]:
        entries = cast(Table, self._core.tables["inbox"]).values()
        return [e.incoming for e in sorted(entries, key=lambda e: (e.at, e.key))]

    def purge(self, *, before: datetime) -> int:
        gone = [m.key for m in self._table.values() if m.at < before]
        with self._core.atomic():
            for key in gone:
                self._core.put("inbound", key, None)
        return len(gone)


class MetaRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["meta"])

    def get(self, key: str, default: Any = None) -> Any:
        entry: MetaEntry | None = self._table.get(key)
        # A copy: a caller mutating a list it read must not change the store behind its back.
        return default if entry is None else copy.deepcopy(entry.value)

    def set(self, key: str, value: Any) -> None:
        self._core.put("meta", key, MetaEntry(key, native(value)))


class ReportsRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(ReportTable, core.tables["reports"])
        self._index = self._table.index

    def add(self, report: Report) -> None:
        if self._index.row(report.id, report.version) is not None:
            msg = f"report {report.id} version {report.version} is already stored"
            raise DuplicateKeyError(msg)
        self._core.put("reports", (report.id, report.version), report)

    def get(self, report_id: str) -> Report | None:
        head = self._index.head(report_id)
        return None if head is None else self._load(report_id, head.version)

    def versions(self, report_id: str) -> list[Report]:
        return [self._load(report_id, row.version) for row in self._index.rows(report_id)]

    def in_period(
        self, type_: str, period: str, *, areas: Collection[str] | None = None
    ) -> list[Report]:
        wanted = None if areas is None else set(areas)
        picked = []
        for report_id in self._index.ids_in(type_, period):
            head = self._index.head(report_id)
            if head is not None and (wanted is None or head.area in wanted):
                picked.append((head.area, report_id, head.version))
        picked.sort()
        return [self._load(report_id, version) for _, report_id, version in picked]

    def latest_by_reporter(self, person_id: int, *, limit: int = 1) -> list[Report]:
        picked = self._index.latest_by(person_id, limit)
        return [self._load(report_id, version) for report_id, version in picked]

    def count(self) -> int:
        return len(self._index)

    def area_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report_id in self._index:
            for area in {row.area for row in self._index.rows(report_id)}:
                counts[area] = counts.get(area, 0) + 1
        return counts

    def ids_at(self, areas: Collection[str]) -> list[str]:
        wanted = set(areas)
        found = (
            report_id
            for report_id in self._index
            if any(row.area in wanted for row in self._index.rows(report_id))
        )
        return sorted(found)

    def rewrite(self, report_id: str, versions: Sequence[Report]) -> None:
        ids = {v.id for v in versions}
        if len(ids) > 1 or len({v.version for v in versions}) != len(versions):
            msg = "rewrite takes the versions of one report, each version once"
            raise ValueError(msg)
        new_id = ids.pop() if ids else report_id
        if new_id != report_id and self._index.head(new_id) is not None:
            msg = f"report {new_id} is already stored"
            raise DuplicateKeyError(msg)
        with self._core.atomic():
            for row in self._index.rows(report_id):
                self._core.put("reports", (report_id, row.version), None)
            for version in versions:
                self._core.put("reports", (version.id, version.version), version)

    def _load(self, report_id: str, version: int) -> Report:
        report = self._table.get((report_id, version))
        if report is None:  # the index and the records disagree: a bug, not a user error
            msg = f"report {report_id} version {version} is indexed but missing"
            raise LookupError(msg)
        return cast(Report, report)
