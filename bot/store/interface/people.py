"""Repository Protocols of people: who they are, their requests to join, their link codes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Account, LinkCode, Person, Registration, RoleGrant


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
    """One-time codes that link another platform account to a person."""

    def add(self, code: LinkCode) -> None:
        """Store a code (replacing an earlier one with the same text)."""

    def take(self, code: str, *, now: datetime) -> LinkCode | None:
        """If the code exists, is unused and expires after `now`: mark it used and return it
        (with used=True); otherwise None. A code can be taken once."""

    def purge(self, *, now: datetime) -> int:
        """Delete used and expired codes; return how many went."""
