"""People, their requests to join and their link codes, over the transaction core."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.core.models import (
    Account,
    LinkCode,
    LinkFailure,
    Person,
    Registration,
    RegistrationStatus,
    RoleGrant,
)
from bot.store.base import DuplicateKeyError
from bot.store.engine.codec import decode, encode
from bot.store.engine.tables import MetaEntry, PeopleTable, Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


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


class LinkCodesRepo:
    """Code records in their table; the wrong codes and the pause in meta (a short list:
    at most a day of wrong codes, which the bot's own hourly budget keeps to a few hundred)."""

    _NEXT, _FAILURES, _PAUSED = "link_codes.next", "link_codes.failures", "link_codes.paused"

    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["link_codes"])

    def add(self, code: LinkCode) -> LinkCode:
        with self._core.atomic():
            entry: MetaEntry | None = self._core.get("meta", self._NEXT)
            number = int(entry.value) if entry is not None else 1
            while str(number) in self._table.rows:  # never an older record's key
                number += 1
            self._core.put("meta", self._NEXT, MetaEntry(self._NEXT, number + 1))
            code = replace(code, code=str(number))
            self.save(code)
        return code

    def get(self, number: str) -> LinkCode | None:
        return cast(LinkCode | None, self._table.get(number))

    def save(self, code: LinkCode) -> None:
        self._core.put("link_codes", code.code, code)

    def live(self, *, now: datetime) -> list[LinkCode]:
        return self._by_number(
            c for c in self._table.values() if not c.used and c.expires_at > now and c.digest
        )

    def asked_by(self, account: str) -> list[LinkCode]:
        mine = self._by_number(c for c in self._table.values() if c.account == account)
        return mine[::-1]

    def purge(self, *, now: datetime) -> int:
        codes = [
            c.code for c in self._table.values()
            if c.expires_at <= now or (c.used and not c.linked)
        ]  # fmt: skip
        with self._core.atomic():
            for code in codes:
                self._core.put("link_codes", code, None)
        return len(codes)

    def add_failure(self, failure: LinkFailure, *, keep_after: datetime) -> None:
        kept = [encode(f) for f in self.failures(since=keep_after)]
        kept.append(encode(failure))
        self._core.put("meta", self._FAILURES, MetaEntry(self._FAILURES, kept))

    def failures(self, *, since: datetime) -> list[LinkFailure]:
        entry: MetaEntry | None = self._core.get("meta", self._FAILURES)
        noted = [decode(LinkFailure, raw) for raw in (entry.value if entry else [])]
        return [f for f in noted if f.at > since]

    def paused_until(self) -> datetime | None:
        entry: MetaEntry | None = self._core.get("meta", self._PAUSED)
        return datetime.fromisoformat(entry.value) if entry and entry.value else None

    def pause(self, until: datetime | None) -> None:
        value = until.isoformat() if until is not None else None
        self._core.put("meta", self._PAUSED, MetaEntry(self._PAUSED, value))

    @staticmethod
    def _by_number(codes: Iterable[LinkCode]) -> list[LinkCode]:
        return sorted(codes, key=lambda c: int(c.code) if c.code.isdigit() else 0)
