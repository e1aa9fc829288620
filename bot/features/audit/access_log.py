"""The access log of personal data: one entry for each look at it (an export, a download).
Privacy records through it; so do the export and the CLI, which have no Privacy service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.core.admin_records import AccessEntry

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.store.base import Store


def record_access(
    store: Store,
    clock: Clock,
    what: str,
    *,
    who: str,
    where: str,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AccessEntry:
    """Append one entry to the access log (for code that has no Privacy service: the CLI)."""
    entry = AccessEntry(
        id=0, at=clock.now(), who=who, what=what, subject=subject, where=where,
        detail=dict(detail or {}),
    )  # fmt: skip
    return store.access_log.add(entry)
