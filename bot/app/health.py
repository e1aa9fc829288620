"""What /healthz reports of one bot process, and whether it is healthy (200) or degraded (503)."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app.intake import Inbound
    from bot.app.services import Services
    from bot.app.storage_alert import StorageWatch
    from bot.core.clock import Clock
    from bot.core.platform import Platform
    from bot.store.base import Store


def health_report(
    *,
    platforms: Mapping[tuple[str, str], Platform],
    started: Sequence[Platform],
    stale_after: float,
    clock: Clock,
    data_dir: Path,
    store: Store | None,
    services: Services | None,
    inbound: Inbound | None,
    storage: StorageWatch | None,
) -> dict[str, Any]:
    """Each transport, the store's ability to write (and the disk's free space), the outbox
    backlog, Zalo quotas, intake counters; "status" is "degraded" when a transport is dead or
    the store cannot write."""
    now = time.monotonic()
    transports: dict[str, Any] = {}
    healthy = True
    for (name, bot), platform in platforms.items():
        last = platform.last_receive_at
        age = round(now - last, 1) if last else None
        # A webhook hears nothing in a quiet night; only a poller's silence means trouble.
        fresh = platform.mode == "webhook" or (age is not None and age <= stale_after)
        alive = platform in started and platform.receiving and fresh
        healthy = healthy and alive
        transports[f"{name}:{bot}" if bot else name] = {
            "alive": alive, "mode": platform.mode, "last_receive_seconds_ago": age,
        }  # fmt: skip
    body: dict[str, Any] = {"platforms": transports}
    if storage is not None:
        # Nothing new is taken in while the store cannot write: the bot is not doing its job.
        body["storage"] = {**storage.state(), "free_bytes": _free_bytes(data_dir)}
        healthy = healthy and not storage.failing
    if store is not None and services is not None:
        backlog, oldest = store.outbox.backlog()
        oldest_age = (clock.now() - oldest).total_seconds() if oldest else None
        body["outbox"] = {"backlog": backlog, "oldest_pending_seconds": oldest_age}
        body["zalo_quota"] = {
            # `counts`: "both" (incoming messages count too) or "outgoing" (docs/zalo.md)
            q.bot: {
                "month": q.month,
                "quota": q.quota,
                "used": q.used,
                "left": q.left,
                "counts": q.counts,
            }
            for q in services.delivery.quotas.states()
        }
        if services.delivery.hooks is not None and services.delivery.hooks.endpoints:
            # Per endpoint: events owed (waiting or retrying) and failed for good.
            body["webhooks"] = services.delivery.hooks.backlog()
    if inbound is not None:
        body["intake"] = {
            "handled": inbound.handled,
            "duplicates": inbound.duplicates,
            "throttled": inbound.throttled,
            "queued": inbound.queued,
        }
    body["status"] = "ok" if healthy else "degraded"
    return body


def _free_bytes(folder: Path) -> int | None:
    """Space left for the bot on the disk of its data directory (None when unknown)."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize
