"""check-config's look at the data: what stored records point at areas the tree no longer has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.app.store_choice import open_configured
from bot.core.areas import AreaTree
from bot.features.areas.usage import orphan_summary, scan, stored_names
from bot.store import StoreError, StoreLockedError, open_store

if TYPE_CHECKING:
    from bot.config.loading import Config


def check_stored(config: Config, tree: AreaTree) -> tuple[bool, list[str]]:
    """Whether the stored data points only at areas of `tree`, and the lines that say so
    (nothing when there is no data yet). A running bot locks embedded data: then only a note.
    A PostgreSQL store is checked while the bot runs."""
    data_dir = config.data_dir
    postgres = config.store.backend == "postgres"
    if not postgres and not data_dir.is_dir():
        return True, []
    if postgres and config.store.database_url is None:
        return True, []  # said in the summary's notes
    try:
        # No names: a store of an older schema upgraded here leaves report names for the next
        # open to fill (the bot's, or `areas migrate --old-tree`'s, which knows the old names).
        store = open_configured(config) if postgres else open_store(data_dir)
    except StoreLockedError:
        note = (
            f"note: the data in {data_dir} is in use (the bot is running), so only the file was "
            "checked; stop the bot to check the stored people, groups and reports against it"
        )
        return True, [note]
    except StoreError as exc:
        return False, [f"the data in {data_dir} cannot be opened: {exc}"]
    try:
        usage = scan(store)
        orphans = usage.only({c for c in usage.areas() if c not in tree})
        summary = orphan_summary(orphans, stored_names(store, orphans.areas()))
    finally:
        store.close()
    if not summary:
        return True, [f"  stored data in {data_dir}: every area it names is in the tree"]
    hint = (
        "  the area tree changed: map the old areas to the new ones with "
        "`python -m bot areas migrate MAPPING` (try --dry-run first)"
    )
    return False, [f"stored data in {data_dir}: {summary}", hint]
