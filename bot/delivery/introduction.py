"""The first message the bot sends a person privately says that an automated assistant is
talking (Zalo's bot terms ask for it; people on either platform deserve to know)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.messages import ChatKind, ChatRef, Outgoing
from bot.store.base import StoreError

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.store.base import Store

log = logging.getLogger(__name__)

KEY = "introduced.{chat}"  # store.meta: a private chat that has been told (a hash, not its id)
LINE = "bot.automated"


class Introductions:
    """Puts the statement at the top of the first message into each private chat, once."""

    def __init__(self, *, store: Store, translate: Translator) -> None:
        self.store = store
        self.translate = translate

    def first(self, out: Outgoing, lang: str) -> Outgoing:
        """`out`, led by the statement when it is the first message of its private chat and
        does not already open with it (the /batdau greeting does)."""
        if out.chat.kind is not ChatKind.PRIVATE or self._told(out.chat):
            return out
        line = self.translate(lang, LINE)
        if out.text.startswith(line):
            return out
        return replace(out, text=f"{line}\n\n{out.text}" if out.text else line)

    def sent(self, out: Outgoing) -> None:
        """Remember that this private chat has been told (after its message went out)."""
        if out.chat.kind is not ChatKind.PRIVATE or self._told(out.chat):
            return
        try:
            self.store.meta.set(_key(out.chat), True)
        except StoreError:
            # The message went out; a full disk only means the next one says it again.
            log.exception("introduction not noted platform=%s", out.chat.platform)

    def _told(self, chat: ChatRef) -> bool:
        return bool(self.store.meta.get(_key(chat)))


def _key(chat: ChatRef) -> str:
    # The chat id is a person's platform id: keep only a digest of it.
    digest = hashlib.sha256(chat.key.encode("utf-8")).hexdigest()[:24]
    return KEY.format(chat=digest)
