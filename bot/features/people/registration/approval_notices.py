"""The notice an officer gets of a new registration, with its decision on it: approve and refuse
buttons on Telegram, their typed twins (`duyet 5`, `duyet 5 khong`) on Zalo."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.messages import Button, Outgoing
from bot.delivery.sender import private_chat
from bot.features.people.registration.pending_list import CALLBACK

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.core.models import Person
    from bot.delivery.sender import Delivery
    from bot.store.base import Store

log = logging.getLogger(__name__)

TYPED_APPROVE = "duyet {n}"
TYPED_REFUSE = "duyet {n} khong"

Buttons = tuple[tuple[Button, ...], ...]


def decision_buttons(translate: Translator, lang: str, n: int) -> Buttons:
    """Approve and refuse under a notice of registration `n`."""
    approve = Button(translate(lang, "approve.button_yes"), f"{CALLBACK}:ok:{n}",
                     TYPED_APPROVE.format(n=n))  # fmt: skip
    refuse = Button(translate(lang, "approve.button_no"), f"{CALLBACK}:no:{n}",
                    TYPED_REFUSE.format(n=n))  # fmt: skip
    return ((approve, refuse),)


class ApprovalNotices:
    """Sends the notice privately to the first reachable account of each officer (or admin)."""

    def __init__(self, *, delivery: Delivery, store: Store) -> None:
        self.delivery = delivery
        self.store = store

    async def tell(self, officer: Person, **params: object) -> bool:
        """One officer: the notice of registration `n` with its buttons; whether it was sent."""
        lang = officer.language or self.delivery.default_lang
        t = self.delivery.translate
        text = t(lang, "register.notify_officer", **params)
        buttons = decision_buttons(t, lang, int(str(params["n"])))
        for account in officer.accounts:
            chat = private_chat(account.key)
            if not account.reachable or self.delivery.platform_for(chat) is None:
                continue
            out = Outgoing(chat, text, buttons=buttons)
            if await self.delivery.send(out, lang=lang) is not None:
                return True
        log.info("registration notice not delivered person=%s", officer.id)
        return False

    async def tell_admins(self, **params: object) -> int:
        """Nobody covers the village: the config admins decide; returns how many were told."""
        keys = set(self.delivery.admin_keys)
        admins = [p for p in self.store.people.all() if any(a.key in keys for a in p.accounts)]
        told = 0
        for admin in admins:
            told += await self.tell(admin, **params)
        return told
