"""Records of running the bot for years rather than of field work: the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One privileged action: who did what to which thing, when, and from where.

    `who` is "person:<id>" for someone acting through a chat, or "cli:<os user>" for a command
    run on the server; `where` is the chat key it came from, or "cli". `detail` holds what the
    action needs to be understood later (codes, counts), never message text or phone numbers.
    """

    id: int
    at: datetime
    action: str  # e.g. "role.grant", "registration.approve", "directive.send", "people.erase"
    who: str
    where: str
    target: str = ""  # what it acted on: "person:12", "directive:4", an area code, a file name
    detail: dict[str, Any] = field(default_factory=dict)
