"""The outgoing webhooks built from config: their HTTP client (the `Poster` of
bot/delivery/webhook_outbox.py: aiohttp, one session, no redirects followed, each attempt
bounded), the webhook outbox, and the subscriber that feeds it from bot/core/events."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import aiohttp

from bot.core.pseudonyms import Pseudonyms, pseudonym_key
from bot.delivery.outbox import Backoff
from bot.delivery.webhook_outbox import WebhookOutbox
from bot.delivery.webhook_request import Answer, Endpoint, Unreachable
from bot.features.webhooks.payload import Payloads
from bot.features.webhooks.service import Webhooks

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.events import Events
    from bot.delivery.sender import Notifier
    from bot.features.reports.types import ReportTypes
    from bot.store.base import Store

log = logging.getLogger(__name__)


def build_webhooks(
    config: Config,
    store: Store,
    *,
    clock: Clock,
    areas: AreaTree,
    types: ReportTypes | None,
    notifier: Notifier,
    events: Events,
) -> WebhookOutbox:
    """The webhook outbox over the configured endpoints, subscribed to `events`. Built even
    with no endpoint, so events queued before one was removed are closed as failed."""
    section = config.webhooks
    endpoints = []
    for e in section.endpoints:
        if e.secret is None:  # load_config refuses this; a Config built otherwise may not
            log.error("webhook endpoint %s has no secret in %s: not used", e.name, e.key_env)
            continue
        endpoints.append((e, e.secret.get_secret_value().encode("utf-8")))
    outbox = WebhookOutbox(
        store=store, clock=clock, poster=AiohttpPoster(timeout=section.timeout_seconds),
        endpoints=[Endpoint(e.name, e.url, secret) for e, secret in endpoints],
        notifier=notifier,
        backoff=Backoff(base=section.retry_base_seconds, cap=section.retry_max_seconds),
        give_up_after=timedelta(hours=section.give_up_hours),
        keep_failed=timedelta(days=section.keep_failed_days),
        concurrency=section.concurrency,
    )  # fmt: skip
    if endpoints:
        payloads = Payloads(
            areas=areas, types=types, pseudonyms=Pseudonyms(pseudonym_key(store.meta)),
            tz=config.tzinfo(),
        )  # fmt: skip
        chosen = [e for e, _ in endpoints]
        events.subscribe(Webhooks(outbox=outbox, endpoints=chosen, areas=areas, payloads=payloads))
    return outbox


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After in seconds (a number, or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class AiohttpPoster:
    """POSTs a signed body and reports the status; a redirect is an answer, not followed (a
    receiver that moved is told to the admins, and the signed body goes nowhere else)."""

    def __init__(self, *, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as resp:
                return Answer(resp.status, retry_after(resp.headers.get("Retry-After")))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unreachable(type(exc).__name__) from None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
