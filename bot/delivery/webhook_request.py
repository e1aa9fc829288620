"""One webhook request: where it goes, how it is signed, what the answer means, and the
`Poster` that sends it (aiohttp, in bot/app/webhooks.py: this room speaks no HTTP).

A receiver checks a request as docs/webhooks.md says: the signature is HMAC-SHA256, under the
endpoint's secret, of `<X-Bot-Timestamp>.<raw body>`, sent as `X-Bot-Signature: sha256=<hex>`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.config.webhooks import check_hook_url
from bot.core.webhook_records import HookDelivery

SIGNATURE_HEADER = "X-Bot-Signature"
TIMESTAMP_HEADER = "X-Bot-Timestamp"
EVENT_ID_HEADER = "X-Bot-Event-Id"
EVENT_TYPE_HEADER = "X-Bot-Event"
ATTEMPT_HEADER = "X-Bot-Attempt"
USER_AGENT = "danso-bot-webhooks/1"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where events go and the secret that signs them."""

    name: str
    url: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_hook_url(self.url)  # config checked it; this guards any other way in


@dataclass(frozen=True, slots=True)
class Answer:
    """The endpoint's HTTP answer: its status, and its Retry-After in seconds if it gave one."""

    status: int
    retry_after: float | None = None


class Unreachable(Exception):
    """No answer: the connection failed or timed out (retried like a 5xx)."""


class Poster(Protocol):
    """Sends one POST and reports the answer; raises Unreachable when there is none."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer: ...

    async def close(self) -> None: ...


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The X-Bot-Signature value: HMAC-SHA256 of `<timestamp>.<body>`, hex, after `sha256=`."""
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retryable(status: int) -> bool:
    """Whether an answer means "try again later" rather than "never"."""
    return status in (408, 429) or status >= 500


def signed_headers(endpoint: Endpoint, item: HookDelivery, timestamp: int) -> dict[str, str]:
    """The headers of one attempt at `item`, signed at `timestamp` (unix seconds)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: item.event_id,
        EVENT_TYPE_HEADER: item.event_type,
        ATTEMPT_HEADER: str(item.attempts),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, item.body.encode("utf-8")),
    }
