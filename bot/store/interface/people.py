"""Repository Protocols of people: who they are, their requests to join, their link codes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Account, LinkCode, LinkFailure, Person, Registration, RoleGrant


class PeopleRepo(Protocol):
    """People and their platform accounts; ids are short numbers assigned in order."""

    def add(
        self,
        *,
        name: str,
        accounts: tuple[Account, ...] = (),
        roles: tuple[RoleGrant, ...] = (),
        created_at: datetime,
        language: str = "",
    ) -> Person:
        """Store a new person under the next id (1, 2, 3…); an account owned by another raises."""

    def get(self, person_id: int) -> Person | None:
        """The person with this id, or None."""

    def by_account(self, user_key: str) -> Person | None:
        """The person owning this platform account (UserRef.key), in O(1)."""

    def save(self, person: Person) -> None:
        """Replace the person with the same id; the account index follows (DuplicateKeyError if
        an account belongs to someone else: remove it there first, in the same atomic())."""

    def all(self) -> list[Person]:
        """Every person, by id."""


class RegistrationsRepo(Protocol):
    """Requests to join a village, waiting for an officer's decision."""

    def add(self, *, person_id: int, area: str, requested_at: datetime) -> Registration:
        """Store a new pending registration under the next id."""

    def get(self, reg_id: int) -> Registration | None:
        """The registration with this id, or None."""

    def save(self, reg: Registration) -> None:
        """Replace the registration with the same id."""

    def pending(self) -> list[Registration]:
        """Registrations still pending, oldest id first."""

    def for_person(self, person_id: int) -> list[Registration]:
        """One person's registrations, any status, by id."""


class LinkCodesRepo(Protocol):
    """One-time codes that link another platform account to a person, what came of each (for
    the owner's undo), and the wrong codes typed lately with the pause they may cause (the
    budgets of /lienket, kept so that a restart resets nothing)."""

    def add(self, code: LinkCode) -> LinkCode:
        """Store a new code under the next short number (1, 2, 3…, set as its `code`)."""

    def get(self, number: str) -> LinkCode | None:
        """The code record with this number, or None."""

    def save(self, code: LinkCode) -> None:
        """Replace the record with the same number."""

    def live(self, *, now: datetime) -> list[LinkCode]:
        """Codes neither spent nor expired at `now`, by number."""

    def asked_by(self, account: str) -> list[LinkCode]:
        """Every kept code the account asked for, newest first."""

    def purge(self, *, now: datetime) -> int:
        """Delete what no one needs any more: spent codes that linked nothing, and every record
        past its `expires_at` (for a link: its undo is over); return how many went."""

    def add_failure(self, failure: LinkFailure, *, keep_after: datetime) -> None:
        """Note a wrong code, forgetting those noted at or before `keep_after`."""

    def failures(self, *, since: datetime) -> list[LinkFailure]:
        """The wrong codes noted after `since`, oldest first."""

    def paused_until(self) -> datetime | None:
        """Until when no code is taken (set by `pause`), or None."""

    def pause(self, until: datetime | None) -> None:
        """Take no code until `until` (None: take them again)."""
