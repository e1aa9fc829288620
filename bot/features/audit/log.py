"""The audit trail of privileged actions: record one, read recent ones, read a period.

Every privileged action (approval, role change, account binding, group binding, directive,
reminder change, export, import, erase, area migration) calls `record` in the same place it
changes the store. Details hold codes and counts, never message text or phone numbers.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.admin_records import AuditEntry

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)


def person_who(person_id: int | None) -> str:
    """How the trail names someone acting through a chat."""
    return f"person:{person_id}" if person_id is not None else "person:?"


def actor_who(actor: Actor) -> str:
    """How the trail names the sender of an event: their person, else their account."""
    if actor.person is not None:
        return person_who(actor.person.id)
    return f"account:{actor.user.key}"


def actor_where(actor: Actor) -> str:
    """The chat an event came from, as the trail's `where`."""
    return actor.chat.key if actor.chat is not None else "?"


def cli_who() -> str:
    """How the trail names whoever runs a command on the server."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "cli:?"


class AuditLog:
    """Appends to and reads the store's audit table."""

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def record(
        self,
        action: str,
        *,
        who: str,
        where: str,
        target: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        entry = self.store.audit.add(
            AuditEntry(
                id=0,
                at=self.clock.now(),
                action=action,
                who=who,
                where=where,
                target=target,
                detail=dict(detail or {}),
            )
        )
        log.info("audit %s by %s target=%s", action, who, target)
        return entry

    def by(
        self,
        actor: Actor,
        action: str,
        *,
        target: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record an action taken through a chat by `actor`, from the chat it came from."""
        return self.record(
            action, who=actor_who(actor), where=actor_where(actor), target=target, detail=detail
        )

    def recent(self, limit: int = 20) -> list[AuditEntry]:
        return self.store.audit.recent(limit)

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        return self.store.audit.between(start, end)
