"""Telling a person that an officer changed their role (/vaitro, /thaythe): the officer's reply
is the handler's; the word to the person whose role changed goes from here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.models import Area, Person
    from bot.delivery.sender import Notifier


class RoleNotices:
    """Private notes to the people a role change is about (each in their own language; the
    role's name comes as the officer's reply names it)."""

    def __init__(self, *, notifier: Notifier) -> None:
        self.notifier = notifier

    async def granted(self, person: Person, *, role: str, area: Area) -> bool:
        """`person` now holds `role` over `area`; False when they could not be reached."""
        return await self.notifier.notify(person, "role.granted_you", role=role, area=area.name)

    async def replaced(
        self, village: Area, new: Person, old: Iterable[Person], *, role: str
    ) -> None:
        """`new` became the village's collaborator (told first); each of `old` lost it."""
        await self.granted(new, role=role, area=village)
        for person in old:
            await self.notifier.notify(person, "replace.you_lost", area=village.name)
