"""Outgoing webhooks: hears the events features announce and queues each for the endpoints that
want it, in the same commit as the change (bot/delivery/webhook_outbox.py sends them)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.events import AckEvent, Event, ReportEvent

if TYPE_CHECKING:
    from bot.config.webhooks import WebhookEndpoint
    from bot.core.areas import AreaTree
    from bot.delivery.webhook_outbox import WebhookOutbox
    from bot.features.webhooks.payload import Payloads

log = logging.getLogger(__name__)


def order_key(event: Event) -> str:
    """Events with the same key reach an endpoint in the order they happened: a report's
    versions (stored, corrected, returned, retracted) one after another; acknowledgements
    depend on nothing before them."""
    if isinstance(event, ReportEvent):
        return f"report:{event.report.id}"
    return f"ack:{event.directive.id}:{event.ack.person_id}"


def event_area(event: Event) -> str:
    return event.report.area if isinstance(event, ReportEvent) else event.area


class Webhooks:
    """The subscriber of bot.core.events that feeds the webhook outbox."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        endpoints: Sequence[WebhookEndpoint],
        areas: AreaTree,
        payloads: Payloads,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.outbox = outbox
        self.endpoints = tuple(endpoints)
        self.areas = areas
        self.payloads = payloads
        self.new_id = new_id

    def wanted_by(self, event: Event) -> list[WebhookEndpoint]:
        """The endpoints that take this event: its type listed, its area inside theirs."""
        area = event_area(event)
        return [
            e
            for e in self.endpoints
            if event.type in e.events
            and (not e.areas or any(self.areas.contains(a, area) for a in e.areas))
        ]

    def __call__(self, event: ReportEvent | AckEvent) -> None:
        """Queue the event for every endpoint that wants it (inside the caller's commit). A
        body that cannot be built is logged and skipped: the report itself must stand; a store
        refusal goes up, so the change and what it owes are kept together or not at all."""
        targets = self.wanted_by(event)
        if not targets:
            return
        event_id = self.new_id()
        try:
            bodies = {
                free: self.payloads.body(event, event_id, free_text=free)
                for free in {e.free_text for e in targets}
            }
        except Exception:
            log.exception("webhook body could not be built event=%s", event.type)
            return
        for endpoint in targets:
            self.outbox.enqueue(
                endpoint=endpoint.name, event_id=event_id, event_type=event.type,
                order_key=order_key(event), body=bodies[endpoint.free_text],
            )  # fmt: skip
