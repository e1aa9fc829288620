"""The stored record of one event owed to one webhook endpoint (bot/delivery/webhook_outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HookStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn or its next attempt
    INFLIGHT = "inflight"  # an attempt started (after a crash: maybe received, maybe not)
    FAILED = "failed"  # refused for good, or retried until give-up: kept as a record


@dataclass(frozen=True, slots=True)
class HookDelivery:
    """One event for one endpoint; written with the change that caused it, removed once the
    endpoint accepted it. `body` is the exact JSON sent at every attempt (signed as UTF-8)."""

    id: int
    endpoint: str  # the endpoint's name in config
    event_id: str  # what the receiver deduplicates on (the same for every endpoint)
    event_type: str
    order_key: str  # events with the same key go out one after another, in id order
    body: str
    created_at: datetime
    next_attempt_at: datetime
    status: HookStatus = HookStatus.PENDING
    attempts: int = 0
    last_status: int = 0  # the HTTP status of the last answer; 0: none (a network failure)
    error: str = ""
    possibly_repeated: bool = False  # was in flight when the process stopped, so sent again
    failed_at: datetime | None = None
