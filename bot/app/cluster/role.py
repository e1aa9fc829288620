"""This process as one of several instances on one PostgreSQL database (docs/deploy.md).

Every heartbeat it says it is alive, counts the live instances (each keeps to 1/N of every
platform limit, so that together they keep to the platform's), tries to be the scheduler leader
and, less often, takes on events an instance took in and did not handle. Leading and following
are the App's to start and stop (`on_lead`, `on_follow`): the scheduler, the outgoing webhooks
and the housekeeping run on the leader alone.

A new instance waits `settle` (a heartbeat and a half) after joining before it sends anything,
so that the others have counted it before it takes its share.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.store.postgres.cluster import Cluster, ClusterError

if TYPE_CHECKING:
    from bot.delivery.send_limits import SendLimiter

log = logging.getLogger(__name__)

# Seconds a dead instance's sends still count in the platform's window for the bot's total (a
# second, and the limiter's margins).
WINDOW_SETTLE = 1.5


class ClusterRole:
    """Joins, beats, leads or follows; `health()` is what /healthz says of the instances."""

    def __init__(
        self,
        cluster: Cluster,
        *,
        limiters: Iterable[SendLimiter],
        on_lead: Callable[[], Awaitable[None]],
        on_follow: Callable[[], Awaitable[None]],
        adopt: Callable[[], int] | None = None,
    ) -> None:
        self.cluster = cluster
        self.limiters = list(limiters)
        self.on_lead = on_lead
        self.on_follow = on_follow
        self.adopt = adopt
        self.leading = False
        self.live = 1
        self._task: asyncio.Task[None] | None = None
        self._since_adopt = 0.0
        self._fewer_since: float | None = None  # when fewer instances were first seen alive

    @property
    def settle(self) -> float:
        return self.cluster.heartbeat * 1.5

    async def start(self) -> None:
        """Join, count the others, wait until they have counted this one, then try to lead."""
        self.cluster.join()
        self._share()
        await asyncio.sleep(self.settle)
        await self._step()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop beating, hand over the lead, leave (others need not wait for the timeout)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.leading:
            self.leading = False
            await self.on_follow()
        self.cluster.leave()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.cluster.heartbeat)
            try:
                await self._step()
            except Exception:
                log.exception("cluster: heartbeat failed")

    async def _step(self) -> None:
        try:
            lead = self.cluster.try_lead()
            self.cluster.beat()  # says whether it leads, too
            self._share()
        except ClusterError as exc:
            # The database is unreachable: the lock went with the session, so stop leading
            # (another instance may lead already) and try again at the next beat.
            log.warning("cluster: %s", exc)
            lead = False
        if lead and not self.leading:
            self.leading = True
            log.info("cluster: this instance leads now instance=%s", self.cluster.id)
            await self.on_lead()
        elif not lead and self.leading:
            self.leading = False
            log.warning("cluster: this instance no longer leads instance=%s", self.cluster.id)
            await self.on_follow()
        self._since_adopt += self.cluster.heartbeat
        if self.adopt is not None and self._since_adopt >= self.cluster.dead_after:
            self._since_adopt = 0.0
            self.adopt()

    def _share(self) -> None:
        """Each instance's share of the bot's total: 1/N at once when an instance joins; when
        one dies, only once what it sent has left the platform's window (it counts there for a
        second more, and the dead may have sent its whole share in the last one)."""
        live = len(self.cluster.alive_ids())
        now = asyncio.get_running_loop().time()
        if live < self.live:
            if self._fewer_since is None:
                self._fewer_since = now
            if now - self._fewer_since < WINDOW_SETTLE:
                return
        self._fewer_since = None
        if live != self.live:
            log.info("cluster: %d instances alive; each takes 1/%d of the limits", live, live)
        self.live = live
        for limiter in self.limiters:
            limiter.set_share(live)

    def health(self) -> dict[str, Any]:
        """This instance, whether it leads, and every instance the database knows."""
        body: dict[str, Any] = {
            "instance": self.cluster.id,
            "leader": self.leading,
            "live": self.live,
        }
        try:
            body["peers"] = [asdict(peer) for peer in self.cluster.peers()]
        except ClusterError as exc:
            body["peers"] = None
            body["error"] = str(exc)
        return body
