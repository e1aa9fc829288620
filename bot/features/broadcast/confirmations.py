"""Two-step actions waiting for /xacnhan: one per person (a directive's preview, a survey)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.clock import Clock
    from bot.store.base import Store

_KEY = "pending.{person}"


@dataclass(frozen=True, slots=True)
class PendingAction:
    kind: str
    data: dict[str, Any]
    expires_at: datetime


class PendingActions:
    """Kept in the store, so a restart between the preview and /xacnhan loses nothing."""

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def set(self, person_id: int, kind: str, data: dict[str, Any], *, ttl: timedelta) -> None:
        """Replace whatever this person had pending."""
        expires = self.clock.now() + ttl
        value = {"kind": kind, "data": data, "expires_at": expires.isoformat()}
        self.store.meta.set(_KEY.format(person=person_id), value)

    def get(self, person_id: int) -> tuple[PendingAction | None, bool]:
        """The live pending action, and whether an expired one was just dropped."""
        value = self.store.meta.get(_KEY.format(person=person_id))
        if not value:
            return None, False
        expires = datetime.fromisoformat(value["expires_at"])
        if expires <= self.clock.now():
            self.clear(person_id)
            return None, True
        return PendingAction(value["kind"], value["data"], expires), False

    def kind_for(self, actor: Actor) -> str:
        """The kind of the actor's live pending action; UserError when there is none."""
        person = actor.person
        action, expired = self.get(person.id) if person is not None else (None, False)
        if action is None:
            raise UserError(
                "directive.pending_expired" if expired else "directive.nothing_pending"
            )
        return action.kind

    def drop(self, actor: Actor, kind: str) -> bool:
        """/huy: drop the actor's pending action if it is of `kind`; whether there was one."""
        person = actor.person
        if person is None:
            return False
        action, _ = self.get(person.id)
        return action is not None and action.kind == kind and self.clear(person.id)

    def clear(self, person_id: int) -> bool:
        """Drop the person's pending action; whether there was one."""
        key = _KEY.format(person=person_id)
        had = bool(self.store.meta.get(key))
        if had:
            self.store.meta.set(key, None)
        return had
