"""People, their requests to join and their link codes, over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.core.models import (
    Account,
    LinkCode,
    Person,
    Registration,
    RegistrationStatus,
    RoleGrant,
)
from bot.store.base import DuplicateKeyError
from bot.store.engine.tables import PeopleTable, Table
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
