"""Repository Protocol of the events owed to webhook endpoints (the webhook outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.webhook_records import HookDelivery


class HookDeliveriesRepo(Protocol):
    """Events owed to webhook endpoints: written with the change, removed once accepted; those
    refused for good stay, FAILED, as a record."""

    def add(self, item: HookDelivery) -> HookDelivery:
        """Store the item under the next id (its own `id` is ignored); return it as stored."""

    def get(self, item_id: int) -> HookDelivery | None:
        """The item with this id, or None."""

    def save(self, item: HookDelivery) -> None:
        """Replace the item with the same id; KeyError if there is none."""

    def remove(self, item_id: int) -> None:
        """Delete the item (delivered); nothing if there is none."""

    def heads(self) -> list[HookDelivery]:
        """The first unfinished (PENDING or INFLIGHT) item of each (endpoint, order key), by id:
        the only ones that may go now, so no event overtakes an earlier one of its key."""

    def unfinished(self) -> list[HookDelivery]:
        """Every PENDING or INFLIGHT item, by id."""

    def failed(self) -> list[HookDelivery]:
        """Every FAILED item, by id."""

    def compact(self, *, before: datetime) -> int:
        """Delete FAILED items that failed before `before`; return how many went."""
