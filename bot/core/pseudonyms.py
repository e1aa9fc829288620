"""Pseudonymous ids of people for systems outside the bot: stable, unlinkable without the key.

A person's id inside the bot is a small counter (1, 2, 3…): anyone could line it up with other
data. Outside (webhooks, dashboards) a person is `p-` and 20 hex digits of an HMAC-SHA256 of
their id under a key that never leaves the data directory: the same person always gets the
same pseudonym, nobody without the key can tell who it is or compute anyone's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Protocol

META_KEY = "pseudonym_key"
KEY_BYTES = 32
_LABEL = b"pseudonym/person/"  # the HMAC covers a label: this key is used for nothing else


class _Meta(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


def pseudonym_key(meta: _Meta) -> bytes:
    """The deployment's pseudonym key, kept in the store (made once, at first use)."""
    stored = meta.get(META_KEY)
    if isinstance(stored, str) and len(stored) == 2 * KEY_BYTES:
        return bytes.fromhex(stored)
    key = secrets.token_bytes(KEY_BYTES)
    meta.set(META_KEY, key.hex())
    return key


class Pseudonyms:
    """Turns person ids into pseudonyms under one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            msg = "a pseudonym key needs at least 16 bytes"
            raise ValueError(msg)
        self._key = key

    def __repr__(self) -> str:
        return "Pseudonyms(<key>)"  # never show the key

    def person(self, person_id: int | None) -> str | None:
        """`p-` and 20 hex digits for a person id; None stays None."""
        if person_id is None:
            return None
        mac = hmac.new(self._key, _LABEL + str(person_id).encode(), hashlib.sha256)
        return "p-" + mac.hexdigest()[:20]
