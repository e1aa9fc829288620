"""Periodic clean-up so the store does not grow forever: outbox rows, seen ids, codes, files."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.file_store import FileStore
    from bot.features.privacy.purge import RetentionPurge
    from bot.store.base import Store

log = logging.getLogger(__name__)

# Platforms redeliver within minutes (webhook retries, an unconfirmed getUpdates offset, Zalo's
# queue without offsets); a week of remembered update ids covers that with a wide margin.
SEEN_DAYS = 7


KEPT_JOBS = ("directive", "survey")  # a survey's items hold its polls' ids


class Housekeeping:
    """Removes what has served its purpose; each run is cheap and safe to repeat."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        files: FileStore,
        keep_days: int,
        purge: RetentionPurge | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.files = files
        self.keep = timedelta(days=keep_days)
        self.purge = purge  # personal data past its retention (bot.features.privacy.purge)

    def run_once(self) -> dict[str, int]:
        now = self.clock.now()
        removed = {
            # A directive's delivery and its file are its record: they stay with it.
            "outbox": self.store.outbox.compact(before=now - self.keep, keep_kinds=KEPT_JOBS),
            "seen_updates": self.store.inbound.purge(before=now - timedelta(days=SEEN_DAYS)),
            "link_codes": self.store.link_codes.purge(now=now),
            "files": self.files.purge(before=now - self.keep, keep=self._kept_files()),
        }
        if self.purge is not None:
            removed.update({f"privacy.{k}": v for k, v in self.purge.run_once().items()})
        if any(removed.values()):
            log.info("housekeeping removed %s", removed)
        return removed

    def _kept_files(self) -> set[str]:
        return kept_files(self.store)


def kept_files(store: Store) -> set[str]:
    """Files that are part of a record: a directive's, a handbook note's, a clarification's."""
    kept = {d.file.file_id for d in store.directives.all() if d.file is not None}
    kept |= {c.file.file_id for c in store.clarifications.all() if c.file is not None}
    return kept | {n.file.file_id for n in store.handbook.all() if n.file is not None}
