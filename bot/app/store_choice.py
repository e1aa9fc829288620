"""Opening the store that config.yaml chooses: the embedded one in data_dir, or a PostgreSQL
database shared with other instances (joining them: bot.app.cluster.join)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store import StoreError, open_store
from bot.store.maintenance.migrations import area_names_from

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.store.base import Store


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
