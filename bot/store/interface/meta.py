"""Repository Protocol of the store's small named settings and counters."""

from __future__ import annotations

from typing import Any, Protocol


class MetaRepo(Protocol):
    """Small named settings and counters; values must be JSON-native (str, numbers, bool, None,
    lists and str-keyed dicts of those)."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under `key` (a copy), or `default`."""

    def set(self, key: str, value: Any) -> None:
        """Store `value` under `key`; TypeError if it is not JSON-native."""
