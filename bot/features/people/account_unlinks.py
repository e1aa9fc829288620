"""Undoing a link, in one step, from the account that asked for its code (the button under the
owner's notice on Telegram, `/lienket huy <n>` on Zalo): the linked account leaves the person
at once (and goes back to whom it belonged to before), its private question is dropped, it is
told, and the undo is audited in the same commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.messages import Incoming
from bot.core.models import Account, LinkCode, Person
from bot.delivery.sender import private_chat
from bot.features.audit.log import AuditLog, person_who
from bot.features.people.link_notices import LinkNotices, platform_name

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unlinked:
    """The account a link attached, now on its own again."""

    platform: str
    name: str


class Unlinks:
    """Undoes links made with codes the sender's account asked for."""

    def __init__(
        self, *, store: Store, clock: Clock, audit: AuditLog, notices: LinkNotices
    ) -> None:
        self.store = store
        self.clock = clock
        self.audit = audit
        self.notices = notices

    def find(self, inc: Incoming, number: str) -> LinkCode:
        """The link to undo: code `number`, or without one the sender's latest live link."""
        key, now = inc.sender.key, self.clock.now()
        if not number:
            mine = [
                c for c in self.store.link_codes.asked_by(key) if c.linked and c.expires_at > now
            ]
            live = [c for c in mine if c.undone_at is None]
            if not live:
                raise UserError("link.undo_already" if mine else "link.undo_none")
            return live[0]
        code = self.store.link_codes.get(number) if number.isdigit() else None
        if code is None or not code.linked or code.expires_at <= now:
            raise UserError("link.undo_none")
        if code.account != key:
            raise UserError("link.undo_not_yours")
        if code.undone_at is not None:
            raise UserError("link.undo_already")
        return code

    async def undo(self, inc: Incoming, number: str) -> Unlinked:
        code = self.find(inc, number.strip().lstrip("#"))
        owner = self.store.people.get(code.person_id)
        account = Account(code.linked)
        language = ""
        with self.store.atomic():
            if owner is not None and any(a.key == code.linked for a in owner.accounts):
                account = next(a for a in owner.accounts if a.key == code.linked)
                rest = tuple(a for a in owner.accounts if a.key != code.linked)
                self.store.people.save(replace(owner, accounts=rest))
                back = self._give_back(code, account)
                language = back.language if back is not None else owner.language
                self.store.prompts.clear(private_chat(code.linked).key, code.linked)
            self.store.link_codes.save(replace(code, undone_at=self.clock.now()))
            self.audit.record(
                "account.unlink",
                who=person_who(code.person_id),
                where=inc.chat.key,
                target=f"person:{code.person_id}",
                detail={
                    "platform": code.linked.split(":", 1)[0],
                    "code": code.code,
                    "back_to": code.from_person,
                },
            )
        platform = code.linked.split(":", 1)[0]
        log.info("account unlinked person=%s platform=%s", code.person_id, platform)
        await self.notices.unlinked(code.linked, language)
        return Unlinked(platform_name(code.linked), account.display_name)

    def _give_back(self, code: LinkCode, account: Account) -> Person | None:
        """Return the account to the person it came from, as that person was before."""
        if code.from_person is None:
            return None
        before = self.store.people.get(code.from_person)
        if before is None or before.erased_at is not None:
            return None
        if any(a.key == account.key for a in before.accounts):
            return before
        restored = replace(before, accounts=(*before.accounts, account))
        if not before.accounts and not before.active:  # the link had emptied them
            restored = replace(restored, roles=code.from_roles, active=True)
        self.store.people.save(restored)
        return restored
