"""Photos a platform kept as they arrived (Zalo's links expire) given to their sender, once
handling made the person known, so that `people erase` removes them with the rest."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.platforms.zalo.arrivals import kept_ids

if TYPE_CHECKING:
    from bot.core.messages import Incoming
    from bot.delivery.file_store import FileStore
    from bot.store.base import PeopleRepo

log = logging.getLogger(__name__)


def give_kept_files(inc: Incoming, *, people: PeopleRepo, files: FileStore) -> None:
    """The photos kept at the arrival of `inc` now belong to its sender (when known)."""
    ids = kept_ids(inc)
    if not ids or inc.sender_anonymous:
        return
    person = people.by_account(inc.sender.key)
    if person is None:
        return  # no person behind it: the file goes with the age-based housekeeping
    for file_id in ids:
        try:
            files.claim(file_id, person.id)
        except (OSError, ValueError) as exc:
            log.warning("kept file not given its owner: %s", type(exc).__name__)
