"""Records of running the bot for years rather than of field work: the audit trail, the
access log of personal data."""

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


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One look at personal data: an export about a person, a report export, a file download.

    `who` as in the audit trail; `subject` is "person:<id>" when it is about one person (erase
    drops the entries about them), else ""; `what` names the data ("people.export",
    "reports.export", "file.download") and `detail` holds codes and counts, never names.
    """

    id: int
    at: datetime
    who: str
    what: str
    subject: str = ""
    where: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invite:
    """A one-time code that binds the account redeeming it to an imported person.

    On Zalo it must be typed to `bot` (the seat was counted there). `replaces`: redeeming it
    unbinds the person's other accounts on `platform` (a lost phone, /moilai).
    """

    code: str
    person_id: int
    platform: str  # telegram | zalo
    created_at: datetime
    expires_at: datetime
    bot: str = ""
    replaces: bool = False
    created_by: str = ""  # as the audit trail's `who`
    used_at: datetime | None = None
    used_by: str = ""  # the account key that redeemed it
    voided: bool = False  # superseded by a newer invite, or the person was deactivated
