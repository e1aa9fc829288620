"""The webhook outbox: events owed to HTTPS endpoints, written with the change that caused them,
POSTed signed, retried with backoff, in order per report, at least once.

The outbox's own rules hold here too (bot/delivery/outbox.py, whose Backoff this reuses): an
item is written before its first attempt (in the very commit of the report or acknowledgement
it tells of), marked in flight before each attempt, and an item found in flight at the next
start goes again, flagged as possibly repeated; the receiver deduplicates on the event id.

Per (endpoint, order key) one item goes at a time, oldest first, so a correction never
overtakes its report. An answer 2xx delivers (the row is removed); 408, 429, 5xx and network
failures are retried with exponential backoff until `give_up_after` has passed since the event;
any other answer (4xx, a redirect) refuses the event for good. Either way a failed item stays,
FAILED, as a record, and the admins are told once per endpoint until it accepts again. While an
endpoint fails, only the item whose retry is due probes it: the rest wait instead of hammering.

The request itself (headers, signature, what an answer means) is in webhook_request.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.webhook_records import HookDelivery, HookStatus
from bot.delivery.outbox import Backoff
from bot.delivery.webhook_request import Endpoint, Poster, Unreachable, retryable, signed_headers

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.sender import Notifier
    from bot.store.base import Store

log = logging.getLogger(__name__)

ALERTED_KEY = "webhooks.alerted"  # meta: endpoints whose admins were told of a failure
COMPACT_EVERY = timedelta(hours=1)


class WebhookOutbox:
    """Queues events for the endpoints in the store and delivers them (see the module doc)."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        poster: Poster,
        endpoints: Sequence[Endpoint],
        notifier: Notifier | None = None,
        backoff: Backoff | None = None,
        give_up_after: timedelta = timedelta(hours=72),
        keep_failed: timedelta = timedelta(days=30),
        concurrency: int = 4,
    ) -> None:
        self.store = store
        self.clock = clock
        self.poster = poster
        self.endpoints = {e.name: e for e in endpoints}
        self.notifier = notifier
        self.backoff = backoff or Backoff(base=10.0, cap=3600.0)
        self.give_up_after = give_up_after
        self.keep_failed = keep_failed
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._active: set[int] = set()
        self._busy: dict[str, int] = {}  # endpoint -> attempts in flight
        self._paused: dict[str, datetime] = {}  # endpoint -> no new attempt before this
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._compacted: datetime | None = None

    # --- queueing --------------------------------------------------------------------------------

    def enqueue(
        self, *, endpoint: str, event_id: str, event_type: str, order_key: str, body: str
    ) -> HookDelivery:
        """Store one event for one endpoint; inside the caller's atomic() block it commits with
        the caller's change. Sent once the loop next runs (after that commit)."""
        if endpoint not in self.endpoints:
            msg = f"no webhook endpoint is named {endpoint!r}"
            raise KeyError(msg)
        now = self.clock.now()
        item = self.store.webhooks.add(
            HookDelivery(
                id=0, endpoint=endpoint, event_id=event_id, event_type=event_type,
                order_key=order_key, body=body, created_at=now, next_attempt_at=now,
            )
        )  # fmt: skip
        self._wake.set()
        return item

    def backlog(self) -> dict[str, dict[str, int]]:
        """Per endpoint: events waiting (or in flight) and events failed for good."""
        counts = {name: {"pending": 0, "failed": 0} for name in self.endpoints}
        for item in self.store.webhooks.unfinished():
            counts.setdefault(item.endpoint, {"pending": 0, "failed": 0})["pending"] += 1
        for item in self.store.webhooks.failed():
            counts.setdefault(item.endpoint, {"pending": 0, "failed": 0})["failed"] += 1
        return counts

    # --- running ---------------------------------------------------------------------------------

    def recover(self) -> int:
        """At start: what was in flight may have arrived; send it again, flagged. An item for
        an endpoint no longer in config can never go: it fails, as a record."""
        now = self.clock.now()
        recovered = 0
        for item in self.store.webhooks.unfinished():
            if item.endpoint not in self.endpoints:
                self.store.webhooks.save(
                    replace(item, status=HookStatus.FAILED, failed_at=now,
                            error="endpoint no longer in config")
                )  # fmt: skip
            elif item.status is HookStatus.INFLIGHT:
                self.store.webhooks.save(
                    replace(item, status=HookStatus.PENDING, possibly_repeated=True,
                            next_attempt_at=now)
                )  # fmt: skip
                recovered += 1
        if recovered:
            log.warning("webhooks resumed %d events that were in flight at the stop", recovered)
        return recovered

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver due events until stop(); at most `concurrency` in flight per endpoint."""
        self.recover()
        while not self._stopping:
            self._compact()
            started = 0
            now = self.clock.now()
            for item in self.store.webhooks.heads():
                name = item.endpoint
                if (
                    item.id in self._active
                    or item.status is not HookStatus.PENDING
                    or item.next_attempt_at > now
                    or name not in self.endpoints
                    or self._paused.get(name, now) > now
                    or self._busy.get(name, 0) >= self.concurrency
                ):
                    continue
                self._active.add(item.id)
                self._busy[name] = self._busy.get(name, 0) + 1
                task = asyncio.create_task(self._deliver(item))
                self._tasks.add(task)
                task.add_done_callback(lambda t, i=item: self._done(t, i))
                started += 1
            if not started:
                await self._sleep()

    def _done(self, task: asyncio.Task[None], item: HookDelivery) -> None:
        self._tasks.discard(task)
        self._active.discard(item.id)
        self._busy[item.endpoint] -= 1
        if not task.cancelled() and task.exception() is not None:
            # Its outcome could not be written (the disk full?): not again at once.
            log.error("webhook delivery crashed item=%s", item.id, exc_info=task.exception())
            pause = self.clock.now() + timedelta(seconds=self.backoff.base)
            self._paused[item.endpoint] = max(self._paused.get(item.endpoint, pause), pause)
        self._wake.set()

    async def _sleep(self) -> None:
        """Until woken (a new event, an attempt done) or the next attempt is due."""
        self._wake.clear()
        now = self.clock.now()
        due = [i.next_attempt_at for i in self.store.webhooks.heads()
               if i.status is HookStatus.PENDING and i.id not in self._active]  # fmt: skip
        due += [t for t in self._paused.values() if t > now]
        timeout = 1.0
        if due:
            timeout = min(max((min(due) - now).total_seconds(), 0.01), 1.0)
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    def resume(self) -> None:
        """Send again after a halt (this instance leads again)."""
        self._stopping = False

    def halt(self) -> None:
        """Start no new attempt (those in flight go on; stop() waits for them)."""
        self._stopping = True
        self._wake.set()

    async def stop(self) -> None:
        """Start nothing new, let the attempts in flight finish, close the HTTP client."""
        self.halt()
        try:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        finally:  # also when the stop bound cuts the wait short
            await self.poster.close()

    def _compact(self) -> None:
        """Forget failures older than `keep_failed`, at most once an hour."""
        now = self.clock.now()
        if self._compacted is not None and now - self._compacted < COMPACT_EVERY:
            return
        self._compacted = now
        if gone := self.store.webhooks.compact(before=now - self.keep_failed):
            log.info("webhooks forgot %d old failed events", gone)

    # --- one attempt -----------------------------------------------------------------------------

    async def _deliver(self, item: HookDelivery) -> None:
        endpoint = self.endpoints[item.endpoint]
        # Written before the attempt: after a crash this row says the event may have arrived.
        item = replace(item, status=HookStatus.INFLIGHT, attempts=item.attempts + 1)
        self.store.webhooks.save(item)
        headers = signed_headers(endpoint, item, int(self.clock.now().timestamp()))
        try:
            answer = await self.poster.post(endpoint.url, item.body.encode("utf-8"), headers)
        except Unreachable as exc:
            await self._retry_or_fail(item, 0, f"unreachable: {exc}", None)
        except Exception as exc:
            log.exception("webhook post failed endpoint=%s item=%s", item.endpoint, item.id)
            await self._retry_or_fail(item, 0, f"error: {type(exc).__name__}", None)
        else:
            if 200 <= answer.status < 300:
                await self._delivered(item)
            elif retryable(answer.status):
                await self._retry_or_fail(item, answer.status, f"HTTP {answer.status}",
                                          answer.retry_after)  # fmt: skip
            else:
                await self._failed(item, answer.status, f"refused: HTTP {answer.status}")

    async def _delivered(self, item: HookDelivery) -> None:
        self.store.webhooks.remove(item.id)
        self._paused.pop(item.endpoint, None)
        log.info("webhook delivered endpoint=%s event=%s attempts=%d",
                 item.endpoint, item.event_type, item.attempts)  # fmt: skip
        alerted = self._alerted()
        if item.endpoint in alerted:
            alerted.remove(item.endpoint)
            self.store.meta.set(ALERTED_KEY, alerted)
            failed = sum(1 for i in self.store.webhooks.failed() if i.endpoint == item.endpoint)
            await self._tell("webhook.recovered", endpoint=item.endpoint, failed=failed)

    async def _retry_or_fail(
        self, item: HookDelivery, status: int, error: str, retry_after: float | None
    ) -> None:
        now = self.clock.now()
        if now - item.created_at >= self.give_up_after:
            await self._failed(item, status, f"gave up: {error}", gave_up=True)
            return
        wait = self.backoff.delay(item.attempts)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.backoff.cap))
        due = now + timedelta(seconds=wait)
        self.store.webhooks.save(
            replace(item, status=HookStatus.PENDING, last_status=status, error=error,
                    next_attempt_at=due)
        )  # fmt: skip
        # While it fails, only this item probes the endpoint; the rest wait for its answer.
        self._paused[item.endpoint] = max(self._paused.get(item.endpoint, due), due)
        log.info("webhook retry endpoint=%s item=%s attempt=%d in %.1fs: %s",
                 item.endpoint, item.id, item.attempts, wait, error)  # fmt: skip

    async def _failed(
        self, item: HookDelivery, status: int, error: str, *, gave_up: bool = False
    ) -> None:
        now = self.clock.now()
        self.store.webhooks.save(
            replace(item, status=HookStatus.FAILED, last_status=status, error=error,
                    failed_at=now)
        )  # fmt: skip
        self._paused.pop(item.endpoint, None)
        log.warning("webhook failed endpoint=%s event=%s: %s", item.endpoint, item.event_type,
                    error)  # fmt: skip
        alerted = self._alerted()
        if item.endpoint in alerted:
            return  # told already: the failures of this episode are recorded, not each told
        alerted.append(item.endpoint)
        self.store.meta.set(ALERTED_KEY, alerted)
        if gave_up:
            hours = round(self.give_up_after.total_seconds() / 3600)
            await self._tell("webhook.gave_up", endpoint=item.endpoint, hours=hours)
        else:
            await self._tell("webhook.refused", endpoint=item.endpoint, status=status)

    def _alerted(self) -> list[str]:
        value = self.store.meta.get(ALERTED_KEY, [])
        return [str(v) for v in value] if isinstance(value, list) else []

    async def _tell(self, key: str, **params: object) -> None:
        if self.notifier is None:
            return
        try:
            await self.notifier.notify_admins(key, **params)
        except Exception:
            log.exception("telling the admins about webhook %s failed", params.get("endpoint"))
