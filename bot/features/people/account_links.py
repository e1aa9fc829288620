"""One-time codes that link a person's other accounts (Telegram, Zalo, a new phone)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.messages import ChatKind, Incoming
from bot.core.models import Account, LinkCode, Person
from bot.features.audit.log import AuditLog, person_who
from bot.features.people.directory import People

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)


class Links:
    """Issues codes from one account and redeems them from another, moving roles along."""

    def __init__(
        self, *, store: Store, people: People, clock: Clock, ttl: timedelta, audit: AuditLog
    ) -> None:
        self.store = store
        self.people = people
        self.clock = clock
        self.ttl = ttl
        self.audit = audit

    def issue(self, inc: Incoming) -> LinkCode:
        """A fresh 6-digit code for the sender's person, valid for `ttl`."""
        person = self.people.ensure_person(inc)
        self.store.link_codes.purge(now=self.clock.now())
        code = LinkCode(
            code=f"{secrets.randbelow(10**6):06d}",
            person_id=person.id,
            expires_at=self.clock.now() + self.ttl,
        )
        self.store.link_codes.add(code)
        return code

    def redeem(self, inc: Incoming, text: str) -> Person:
        """Attach the sender's account to the person who issued code `text`."""
        code = self.store.link_codes.take(text.strip(), now=self.clock.now())
        if code is None:
            raise UserError("link.bad_code")
        target = self.store.people.get(code.person_id)
        if target is None:
            raise UserError("link.bad_code")
        key = inc.sender.key
        if any(a.key == key for a in target.accounts):
            raise UserError("link.same_account")
        current = self.store.people.by_account(key)
        before = len(target.roles)
        with self.store.atomic():
            accounts = list(target.accounts)
            roles = list(target.roles)
            if current is not None:
                moved = [a for a in current.accounts if a.key == key]
                accounts.extend(moved)
                rest = tuple(a for a in current.accounts if a.key != key)
                if not rest:
                    # The same human proved control of both accounts: their roles follow.
                    roles.extend(g for g in current.roles if g not in roles)
                    self.store.people.save(replace(current, accounts=(), roles=(), active=False))
                else:
                    self.store.people.save(replace(current, accounts=rest))
            else:
                accounts.append(
                    Account(
                        key=key,
                        display_name=inc.sender_name,
                        reachable=inc.chat.kind is ChatKind.PRIVATE,
                    )
                )
            target = replace(target, accounts=tuple(accounts), roles=tuple(roles))
            self.store.people.save(target)
            self.audit.record(
                "account.link",
                who=person_who(target.id),
                where=inc.chat.key,
                target=f"person:{target.id}",
                detail={
                    "platform": inc.sender.platform,
                    "from_person": current.id if current is not None else None,
                    "roles_moved": len(target.roles) - before,
                },
            )
        log.info("account linked person=%s platform=%s", target.id, inc.sender.platform)
        return target
