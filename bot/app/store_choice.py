"""Opening the store that config.yaml chooses: the embedded one in data_dir, or a PostgreSQL
database shared with other instances; and joining those instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.store import StoreError, StoreLockedError, open_store
from bot.store.maintenance.migrations import area_names_from

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.core.platform import Platform
    from bot.store.base import Store
    from bot.store.postgres.cluster import Cluster


def database_url(config: Config) -> str:
    """The PostgreSQL address from DATABASE_URL (StoreError when it is not set)."""
    if config.store.database_url is None:
        msg = "store.backend is postgres, but the DATABASE_URL environment variable is not set"
        raise StoreError(msg)
    return config.store.database_url.get_secret_value()


def open_configured(config: Config) -> Store:
    """The store of config.store (StoreLockedError when another process holds the data
    directory of the embedded store)."""
    names = area_names_from(config.areas)
    if config.store.backend != "postgres":
        return open_store(config.data_dir, area_names=names)
    return open_store(
        config.data_dir, backend="postgres", url=database_url(config), area_names=names
    )


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
