"""Joining the instances on the PostgreSQL store, and what changes for delivery when one does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.app.store_choice import database_url
from bot.store import StoreLockedError

if TYPE_CHECKING:
    from bot.app.services import DeliveryDesk
    from bot.config.loading import Config
    from bot.core.platform import Platform
    from bot.store.postgres.cluster import Cluster


def join(config: Config, platforms: Mapping[tuple[str, str], Platform]) -> Cluster | None:
    """This process's membership of the instances on the PostgreSQL store (None on the embedded
    one); StoreLockedError when it would long-poll while another instance does."""
    if config.store.backend != "postgres":
        return None
    from bot.store.postgres.cluster import Cluster

    settings = config.store
    cluster = Cluster(
        database_url(config), heartbeat=settings.heartbeat_seconds,
        dead_after=settings.dead_after_seconds, info={"port": config.web.port},
    )  # fmt: skip
    if any(p.mode == "polling" for p in platforms.values()) and not cluster.try_poll():
        cluster.close()
        msg = (
            "another instance long-polls this database's bots already; several instances must "
            "use webhooks (docs/deploy.md)"
        )
        raise StoreLockedError(msg)
    return cluster


def share_delivery(cluster: Cluster, delivery: DeliveryDesk) -> None:
    """Delivery as one of the instances: the outbox claims its sends as this instance and takes
    over a dead one's; a job's progress is counted from the store; every message into a chat
    reserves its moment in the database (a chat's limit counts every instance's messages)."""
    outbox = delivery.outbox
    outbox.instance, outbox.alive = cluster.id, cluster.alive_ids
    outbox.progress.shared = True
    for limiter in delivery.sender.limiters.values():
        limiter.pace = cluster
