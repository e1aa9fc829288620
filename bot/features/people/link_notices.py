"""What /lienket tells people outside the chat it was typed in: the owner of a code, on the
account that asked for it, of each link made with it (with the one-step undo: a button on
Telegram, its typed twin on Zalo) and of a code killed by wrong tries; an unlinked account of
its undo; the admins of a pause."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.messages import Button, Outgoing
from bot.delivery.sender import private_chat

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.models import LinkCode, Person
    from bot.delivery.sender import Delivery

log = logging.getLogger(__name__)

PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


def platform_name(account_key: str) -> str:
    platform = account_key.split(":", 1)[0]
    return PLATFORM_NAMES.get(platform, platform)


class LinkNotices:
    """Private notes about links, each sent at once to one account."""

    def __init__(self, *, delivery: Delivery, tz: ZoneInfo) -> None:
        self.delivery = delivery
        self.tz = tz

    def time(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%H:%M %d/%m")

    async def linked(self, code: LinkCode, owner: Person, name: str) -> bool:
        """The owner's code linked the account `code.linked` (shown as `name`)."""
        lang = owner.language or self.delivery.default_lang
        t = self.delivery.translate
        undo = Button(
            t(lang, "link.undo_button"),
            data=f"unlink:{code.code}",
            typed=t(lang, "link.undo_typed", n=code.code),
        )
        text = t(
            lang, "link.owner_told", platform=platform_name(code.linked), name=name,
            time=self.time(code.linked_at or code.expires_at),
        )  # fmt: skip
        return await self._send(code.account, text, lang, buttons=((undo,),))

    async def killed(self, code: LinkCode, owner: Person | None) -> bool:
        """Wrong tries killed the owner's code before anyone linked with it."""
        lang = (owner.language if owner else "") or self.delivery.default_lang
        text = self.delivery.translate(lang, "link.code_killed", count=code.failures)
        return await self._send(code.account, text, lang)

    async def unlinked(self, account: str, lang: str) -> bool:
        """The account that was linked is on its own again."""
        lang = lang or self.delivery.default_lang
        return await self._send(account, self.delivery.translate(lang, "link.undone_you"), lang)

    async def paused(self, count: int, until: datetime) -> int:
        """Too many wrong codes in the bot's hour: every admin is told once."""
        return await self.delivery.notify_admins(
            "link.paused_admins", count=count, until=self.time(until)
        )

    async def _send(
        self, account: str, text: str, lang: str, *, buttons: tuple[tuple[Button, ...], ...] = ()
    ) -> bool:
        if not account:
            return False
        chat = private_chat(account)
        sent = await self.delivery.send(Outgoing(chat, text, buttons=buttons), lang=lang)
        if sent is None:
            log.warning("link notice not delivered platform=%s", chat.platform)
        return sent is not None
