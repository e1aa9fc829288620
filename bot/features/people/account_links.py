"""One-time codes that link a person's other accounts (Telegram, Zalo, a new phone).

The account that asks (`/lienket`) gets a code; the account that types it joins the asker's
person and so holds what that person holds, never more: config admins are accounts (a linked
account is not the one the config names), and an account that holds roles of its own (stored,
or as a config admin) cannot carry them into someone else's person, where its notices would
reach the other accounts (it asks for the code instead). Guessing is made hopeless
by link_codes and link_guard; every link is told at once to the account that asked, which may
undo it (account_unlinks), and both are audited."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.messages import ChatKind, Incoming
from bot.core.models import Account, LinkCode, Person, RoleGrant
from bot.features.audit.log import AuditLog, person_who
from bot.features.people.account_unlinks import Unlinked, Unlinks
from bot.features.people.directory import People
from bot.features.people.link_codes import (
    BOT_PER_HOUR,
    PREFIX,
    TRIES_PER_CODE,
    UNDO_DAYS,
    digest,
    new_code,
    read_code,
    shown,
)
from bot.features.people.link_guard import LinkGuard
from bot.features.people.link_notices import LinkNotices

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Issued:
    """A fresh code for the asker: its record and the digits to show (never stored)."""

    record: LinkCode
    digits: str

    @property
    def shown(self) -> str:
        """The code as the bot writes it (482 719 3055)."""
        return shown(self.digits)


class Links:
    """Issues codes from one account and redeems them from another."""

    def __init__(
        self, *, store: Store, people: People, clock: Clock, ttl: timedelta, audit: AuditLog,
        notices: LinkNotices,
    ) -> None:  # fmt: skip
        self.store = store
        self.people = people
        self.clock = clock
        self.ttl = ttl
        self.audit = audit
        self.notices = notices
        self.guard = LinkGuard(store=store, clock=clock)
        self.unlinks = Unlinks(store=store, clock=clock, audit=audit, notices=notices)

    def issue(self, inc: Incoming) -> Issued:
        """A fresh code for the sender's person, valid for `ttl`; their older live code dies."""
        self._refuse_if_paused()
        person = self.people.ensure_person(inc)
        now = self.clock.now()
        digits = new_code()
        with self.store.atomic():
            self.store.link_codes.purge(now=now)
            for old in self.store.link_codes.live(now=now):
                if old.person_id == person.id:
                    self.store.link_codes.save(replace(old, used=True))
            fresh = LinkCode(
                code="", person_id=person.id, expires_at=now + self.ttl,
                prefix=digits[:PREFIX], digest=digest(digits), account=inc.sender.key,
            )  # fmt: skip
            record = self.store.link_codes.add(fresh)
        log.info("link code issued person=%s number=%s", person.id, record.code)
        return Issued(record, digits)

    async def redeem(self, inc: Incoming, text: str) -> Person:
        """Attach the sender's account to the person whose live code `text` is."""
        typed = read_code(text)
        if typed is None:
            raise UserError("link.bad_format")
        self._refuse_if_paused()
        key = inc.sender.key
        current = self.store.people.by_account(key)
        blocked = self.guard.blocked_until(key, current)
        if blocked is not None:
            raise UserError("link.too_many", until=self.notices.time(blocked))
        candidates = [
            c for c in self.store.link_codes.live(now=self.clock.now())
            if c.prefix == typed[:PREFIX]
        ]  # fmt: skip
        wanted = digest(typed)
        match = next((c for c in candidates if hmac.compare_digest(c.digest, wanted)), None)
        target = self.store.people.get(match.person_id) if match is not None else None
        if match is None or target is None or not target.active:
            await self._wrong(inc, current, candidates)
            left = self.guard.left(key, current)
            if left:
                raise UserError("link.bad_code", left=left)
            until = self.guard.blocked_until(key, current) or self.clock.now()
            raise UserError("link.bad_code_last", until=self.notices.time(until))
        if any(a.key == key for a in target.accounts):
            raise UserError("link.same_account")
        others = [c for c in candidates if c.code != match.code]
        if key in self.people.config_admins or _own_roles(current, target, key):
            with self.store.atomic():
                self.store.link_codes.save(replace(match, used=True))
            raise UserError("link.has_roles")
        return await self._link(inc, match, target, current, others)

    async def undo(self, inc: Incoming, number: str) -> Unlinked:
        """Undo the link made with code `number` ("": the latest) of the sender's account."""
        return await self.unlinks.undo(inc, number)

    def _refuse_if_paused(self) -> None:
        until = self.guard.paused_until()
        if until is not None:
            raise UserError("link.paused", until=self.notices.time(until))

    async def _link(
        self, inc: Incoming, code: LinkCode, target: Person, current: Person | None,
        others: list[LinkCode],
    ) -> Person:  # fmt: skip
        key = inc.sender.key
        private = inc.chat.kind is ChatKind.PRIVATE
        account = Account(key=key, display_name=inc.sender_name, reachable=private)
        emptied_roles: tuple[RoleGrant, ...] = ()
        with self.store.atomic():
            if current is not None:
                account = next(a for a in current.accounts if a.key == key)
                account = replace(account, reachable=account.reachable or private)
                rest = tuple(a for a in current.accounts if a.key != key)
                if rest:
                    self.store.people.save(replace(current, accounts=rest))
                else:
                    emptied_roles = current.roles
                    self.store.people.save(replace(current, accounts=(), roles=(), active=False))
            target = replace(target, accounts=(*target.accounts, account))
            self.store.people.save(target)
            now = self.clock.now()
            code = replace(
                code, used=True, linked=key, linked_at=now,
                expires_at=now + timedelta(days=UNDO_DAYS),
                from_person=current.id if current is not None else None,
                from_roles=tuple(emptied_roles),
            )  # fmt: skip
            self.store.link_codes.save(code)
            killed = self._count_against(others, inc)
            self.audit.record(
                "account.link",
                who=person_who(target.id),
                where=inc.chat.key,
                target=f"person:{target.id}",
                detail={
                    "platform": inc.sender.platform,
                    "code": code.code,
                    "asked_from": code.account.split(":", 1)[0],
                    "from_person": code.from_person,
                },
            )
        log.info("account linked person=%s platform=%s", target.id, inc.sender.platform)
        await self.notices.linked(code, target, account.display_name or inc.sender_name)
        await self._tell_killed(killed)
        return target

    async def _wrong(self, inc: Incoming, current: Person | None, hit: list[LinkCode]) -> None:
        """A wrong code: one try against each live code it named, one against the sender's
        account and person, one against the bot's hour (which may pause it)."""
        with self.store.atomic():
            killed = self._count_against(hit, inc)
            paused = self.guard.count(inc.sender.key, current)
            if paused is not None:
                self.audit.record(
                    "account.link_paused", who="system", where="system",
                    detail={"wrong_codes": BOT_PER_HOUR, "until": paused.isoformat()},
                )  # fmt: skip
        log.info("wrong link code platform=%s named=%d", inc.sender.platform, len(hit))
        await self._tell_killed(killed)
        if paused is not None:
            log.warning("too many wrong link codes: none taken until %s", paused.isoformat())
            await self.notices.paused(BOT_PER_HOUR, paused)

    def _count_against(self, codes: list[LinkCode], inc: Incoming) -> list[LinkCode]:
        """One more wrong try against each of `codes`; those that die are returned."""
        killed = []
        for code in codes:
            code = replace(code, failures=code.failures + 1)
            if code.failures >= TRIES_PER_CODE:
                code = replace(code, used=True)
                killed.append(code)
                guesser = self.store.people.by_account(inc.sender.key)
                self.audit.record(
                    "account.link_code_killed",
                    who=person_who(guesser.id) if guesser else f"account:{inc.sender.key}",
                    where=inc.chat.key,
                    target=f"person:{code.person_id}",
                    detail={"code": code.code, "wrong_tries": code.failures},
                )
            self.store.link_codes.save(code)
        return killed

    async def _tell_killed(self, killed: list[LinkCode]) -> None:
        for code in killed:
            log.info("link code killed by wrong tries person=%s", code.person_id)
            await self.notices.killed(code, self.store.people.get(code.person_id))


def _own_roles(current: Person | None, target: Person, key: str) -> bool:
    """Whether the typing account would carry roles of its own into `target`'s person: it is
    its person's only account and that person holds a role `target` does not."""
    if current is None or any(a.key != key for a in current.accounts) or not current.active:
        return False
    held = {(g.role, g.area) for g in target.roles}
    return any((g.role, g.area) not in held for g in current.roles)
