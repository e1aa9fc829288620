"""Which Zalo bot an imported person should message: one whose areas cover theirs, never
beyond its user cap, the emptiest first.

A Zalo user id is per bot, and the free plan caps how many users one bot may serve, so every
person bound to a bot (any account key `zalo:<bot>:…`) and every live invite to it holds a seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.models import ZaloBot
    from bot.core.admin_records import Invite
    from bot.core.areas import AreaTree
    from bot.core.models import Person


@dataclass(frozen=True, slots=True)
class Seat:
    """One configured Zalo bot as the assignment sees it."""

    name: str
    areas: tuple[str, ...]  # empty: the whole tree
    max_users: int


def seats_from_config(bots: Iterable[ZaloBot]) -> list[Seat]:
    """Seats of config's `platforms.zalo.bots`."""
    return [Seat(b.name, tuple(b.areas), b.max_users) for b in bots]


def live(invite: Invite, now: datetime) -> bool:
    """Unused, not voided and not expired: it still holds its seat."""
    return invite.used_at is None and not invite.voided and invite.expires_at > now


class ZaloSeats:
    """Who holds a seat on each Zalo bot, and where the next person goes."""

    def __init__(self, seats: Sequence[Seat], areas: AreaTree) -> None:
        self.seats = list(seats)
        self.areas = areas
        self.holders: dict[str, set[int]] = {s.name: set() for s in seats}

    @classmethod
    def load(
        cls,
        seats: Sequence[Seat],
        areas: AreaTree,
        *,
        people: Iterable[Person],
        invites: Iterable[Invite],
        now: datetime,
    ) -> ZaloSeats:
        """Seats taken now: people with an account on a bot, and live invites to it."""
        state = cls(seats, areas)
        for person in people:
            for account in person.accounts:
                parts = account.key.split(":")
                if parts[0] == "zalo" and len(parts) == 3 and parts[1] in state.holders:
                    state.holders[parts[1]].add(person.id)
        for invite in invites:
            if invite.platform == "zalo" and invite.bot in state.holders and live(invite, now):
                state.holders[invite.bot].add(invite.person_id)
        return state

    def serving(self, area: str) -> list[Seat]:
        """Bots whose areas cover `area` (a bot without areas serves the whole tree)."""
        return [
            s
            for s in self.seats
            if not s.areas or any(self.areas.contains(a, area) for a in s.areas if a in self.areas)
        ]

    def used(self, bot: str) -> int:
        return len(self.holders.get(bot, ()))

    def place(self, person_id: int, area: str, *, prefer: str = "") -> str | None:
        """The bot `person_id` goes to (their seat taken), or None when every bot serving
        `area` is full. A bot they already hold a seat on (or `prefer`, if it has room or
        holds them) wins; otherwise the one with the fewest users, then config order."""
        serving = self.serving(area)
        for seat in serving:
            if person_id in self.holders[seat.name]:
                return seat.name
        by_name = {s.name: s for s in serving}
        if prefer in by_name and self.used(prefer) < by_name[prefer].max_users:
            self.holders[prefer].add(person_id)
            return prefer
        room = [s for s in serving if self.used(s.name) < s.max_users]
        if not room:
            return None
        best = min(room, key=lambda s: (self.used(s.name), serving.index(s)))
        self.holders[best.name].add(person_id)
        return best.name

    def full_report(self, area: str) -> str:
        """The bots serving `area` with their use and caps, e.g. "zalo1 45/45, zalo2 45/45"."""
        serving = self.serving(area)
        if not serving:
            return "no Zalo bot serves this area"
        return ", ".join(f"{s.name} {self.used(s.name)}/{s.max_users}" for s in serving)
