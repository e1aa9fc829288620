"""Which report each echo of the bot showed, per chat: a reply to an echo means that report.

Kept in the store's meta, one small list per chat (the last KEEP echoes there), so it survives
a restart. It serves where a platform says which message a reply quotes (Telegram, the
sandbox); Zalo's updates do not say it, and there the other rules of /sua apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.base import MetaRepo

KEEP = 30  # people reply to what they just saw; an older echo falls back to the other rules
_PREFIX = "reports.echoes."


class Echoes:
    """Message id of an echo → the short number of the report it showed, per chat."""

    def __init__(self, meta: MetaRepo) -> None:
        self.meta = meta

    def remember(self, chat_key: str, message_ids: Sequence[str], number: int) -> None:
        """The bot's message(s) `message_ids` in the chat showed report `number`."""
        if number <= 0 or not message_ids:
            return
        key = _PREFIX + chat_key
        kept = [e for e in self.meta.get(key, []) if e[0] not in message_ids]
        kept.extend([str(m), number] for m in message_ids)
        self.meta.set(key, kept[-KEEP:])

    def number_of(self, chat_key: str, message_id: str) -> int | None:
        """The report number the bot's message showed, or None (not an echo, or too old)."""
        for shown, number in self.meta.get(_PREFIX + chat_key, []):
            if shown == str(message_id):
                return int(number)
        return None
