"""The wrong-code budgets of /lienket (see link_codes for the odds they buy): each account and
each person PER_DAY wrong codes in any 24 hours, the whole bot BOT_PER_HOUR in any hour before
it takes no code for PAUSE. Everything is counted in the store, so a restart resets nothing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import LinkFailure, Person
from bot.features.people.link_codes import (
    BOT_PER_HOUR,
    DAY,
    HOUR,
    PAUSE,
    PER_DAY,
    account_tag,
)

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.store.base import Store


class LinkGuard:
    """Counts wrong codes and says who may type one now."""

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def paused_until(self) -> datetime | None:
        """Until when the bot takes no code (None: it takes them)."""
        until = self.store.link_codes.paused_until()
        return until if until is not None and until > self.clock.now() else None

    def blocked_until(self, key: str, person: Person | None) -> datetime | None:
        """When this account (or its person) may type a code again, if it used up its day."""
        times = self._mine(key, person)
        return times[-PER_DAY] + DAY if len(times) >= PER_DAY else None

    def left(self, key: str, person: Person | None) -> int:
        """How many more wrong codes this account (and its person) may type today."""
        return max(PER_DAY - len(self._mine(key, person)), 0)

    def count(self, key: str, person: Person | None) -> datetime | None:
        """Note one wrong code from `key`; when it fills the bot's hour, pause and return
        until when (call inside the caller's atomic())."""
        now = self.clock.now()
        failure = LinkFailure(now, account_tag(key), person.id if person else None)
        self.store.link_codes.add_failure(failure, keep_after=now - DAY)
        if len(self.store.link_codes.failures(since=now - HOUR)) < BOT_PER_HOUR:
            return None
        until = now + PAUSE
        self.store.link_codes.pause(until)
        return until

    def _mine(self, key: str, person: Person | None) -> list[datetime]:
        """When this account, or any account of its person, typed a wrong code in 24 hours."""
        tags = {account_tag(key)}
        if person is not None:
            tags |= {account_tag(a.key) for a in person.accounts}
        pid = person.id if person is not None else None
        since = self.clock.now() - DAY
        return sorted(
            f.at
            for f in self.store.link_codes.failures(since=since)
            if f.account in tags or (pid is not None and f.person_id == pid)
        )
