"""What features announce after a change worth telling the systems outside (a report stored,
corrected, retracted or returned; a directive acknowledged), and the sink they announce it to.

Features never import each other: the reports and directives features call `events.emit(...)`
inside the transaction that stores the change, and whoever wants to hear (the outgoing
webhooks, bot/features/webhooks) subscribes in bot/app/wiring.py. A subscriber that writes to
the store writes in that same commit, so the change and what it owes the outside are kept
together or not at all.

Event names and what each carries (the JSON the webhooks send is in docs/webhooks.md):

- `report.stored`: a new report (or one sent again after it was retracted); `report` is the
  version stored, `actor` the person who sent it.
- `report.corrected`: a later version of a report that counted (`/sua`, a report of the same
  village and period sent again, an edited message); `report` is the new version.
- `report.retracted`: `/huybaocao`; `report` is the new version, marked retracted.
- `report.returned`: an officer sent the report back to its collaborator (`/tralai`);
  `report` is the version returned, `actor` the officer, `reason` what the officer wrote.
- `directive.acknowledged`: a person acknowledged a directive (`AckEvent`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.models import Acknowledgement, Directive, Report

REPORT_STORED = "report.stored"
REPORT_CORRECTED = "report.corrected"
REPORT_RETRACTED = "report.retracted"
REPORT_RETURNED = "report.returned"
DIRECTIVE_ACKNOWLEDGED = "directive.acknowledged"
REPORT_EVENTS = (REPORT_STORED, REPORT_CORRECTED, REPORT_RETRACTED, REPORT_RETURNED)
EVENT_TYPES = (*REPORT_EVENTS, DIRECTIVE_ACKNOWLEDGED)


@dataclass(frozen=True, slots=True)
class ReportEvent:
    """Something happened to a report; `report` is the version concerned, as stored."""

    type: str  # one of REPORT_EVENTS
    report: Report
    at: datetime
    actor: int | None = None  # person id of who did it (the reporter, or the officer)
    reason: str = ""  # report.returned: the officer's reason, as typed

    def __post_init__(self) -> None:
        if self.type not in REPORT_EVENTS:
            msg = f"unknown report event {self.type!r}; use one of {REPORT_EVENTS}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class AckEvent:
    """A person acknowledged a directive (once: a second press announces nothing)."""

    directive: Directive
    ack: Acknowledgement
    area: str  # the area the person was expected for (their village or unit)
    type: str = DIRECTIVE_ACKNOWLEDGED


Event = ReportEvent | AckEvent
Subscriber = Callable[[Event], None]


def report_event_type(report: Report, previous: Report | None) -> str:
    """What storing `report` over `previous` (the latest version before it, if any) means."""
    if report.retracted:
        return REPORT_RETRACTED
    if previous is None or previous.retracted:
        return REPORT_STORED
    return REPORT_CORRECTED


class EventSink(Protocol):
    """Where features announce events; called inside the transaction of the change."""

    def emit(self, event: Event) -> None: ...


class Events:
    """Hands each event to every subscriber, in the order they subscribed. A subscriber's error
    goes up to the feature, whose transaction then keeps nothing; so a subscriber lets only a
    store refusal through (the disk full: the change is refused and tried again later) and logs
    its own mistakes, since what the outside is told must never cost anyone their report."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def emit(self, event: Event) -> None:
        for subscriber in self._subscribers:
            subscriber(event)
