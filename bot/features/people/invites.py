"""Invite codes: issued to imported (or re-invited) people, redeemed once by the account that
will be theirs, with no approval step.

Codes are 8 characters from an alphabet without 0/O/1/I, always with a digit and a letter, so
a typed code is told apart from ordinary words. They are stored as typed (not hashed): 40 bits
hashed without a secret would not resist a guess at the hash anyway, a code only binds an account
to a person whose roles an officer already chose, it is single use and expires, and keeping it
lets a re-import print the same live codes again instead of issuing new ones.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.admin_records import Invite
from bot.core.errors import UserError
from bot.core.messages import ChatKind, Incoming
from bot.core.models import Account, Person
from bot.features.audit.log import AuditLog, person_who
from bot.features.people.zalo_seats import live

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.store.base import Store

log = logging.getLogger(__name__)

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I: read aloud or copied by hand
CODE_LENGTH = 8
# A typed code: 8 letters and digits (a space or dash in the middle allowed), at least one of
# each, matched against folded (lower-case) text.
TYPED_CODE = r"(?=[a-z0-9 -]*[0-9])(?=[a-z0-9 -]*[a-z])[a-z0-9]{4}[ -]?[a-z0-9]{4}"
_TYPED = re.compile(TYPED_CODE)


def new_code(taken: set[str] | None = None) -> str:
    """A fresh random code with at least one digit and one letter, not in `taken`."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            if not taken or code not in taken:
                return code


def normalize(text: str) -> str:
    """What a person typed, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return _TYPED.fullmatch(text.strip().lower()) is not None


def deep_link(username: str, code: str) -> str:
    """The Telegram link that opens the bot and sends `/start CODE`; "" without a username."""
    return f"https://t.me/{username.lstrip('@')}?start={code}" if username else ""


class Invites:
    """Issues invites for people and binds the account that redeems one."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        ttl: timedelta,
        translate: Translator,
        audit: AuditLog,
        telegram_username: str = "",
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.ttl = ttl
        self.translate = translate
        self.telegram_username = telegram_username
        self.audit = audit

    # --- issuing -------------------------------------------------------------------------------

    def issue(
        self,
        person: Person,
        platform: str,
        *,
        bot: str = "",
        replaces: bool = False,
        created_by: str = "",
        taken: set[str] | None = None,
    ) -> Invite:
        """A new invite for `person` on `platform`; their older live ones there are voided.
        Call inside the caller's atomic() block with its audit record."""
        now = self.clock.now()
        for old in self.store.invites.all():
            if old.person_id == person.id and old.platform == platform and live(old, now):
                self.store.invites.save(replace(old, voided=True))
        code = new_code(taken)
        while self.store.invites.get(code) is not None:
            code = new_code(taken)
        invite = Invite(
            code=code, person_id=person.id, platform=platform, created_at=now,
            expires_at=now + self.ttl, bot=bot, replaces=replaces, created_by=created_by,
        )  # fmt: skip
        self.store.invites.add(invite)
        if taken is not None:
            taken.add(code)
        return invite

    def void_for(self, person_id: int) -> int:
        """Void every live invite of a person (deactivated); how many."""
        now = self.clock.now()
        gone = [i for i in self.store.invites.all() if i.person_id == person_id and live(i, now)]
        for invite in gone:
            self.store.invites.save(replace(invite, voided=True))
        return len(gone)

    def live_for(self, person_id: int) -> list[Invite]:
        now = self.clock.now()
        return [i for i in self.store.invites.all() if i.person_id == person_id and live(i, now)]

    def link(self, invite: Invite) -> str:
        if invite.platform != "telegram":
            return ""
        return deep_link(self.telegram_username, invite.code)

    def instruction(self, invite: Invite, lang: str) -> str:
        """What the invitee is told to do, in `lang`."""
        if invite.platform == "zalo":
            return self.translate(lang, "invite.how_zalo", bot=invite.bot, code=invite.code)
        link = self.link(invite)
        if link:
            return self.translate(lang, "invite.how_telegram_link", link=link)
        return self.translate(lang, "invite.how_telegram_code", code=invite.code)

    # --- redeeming -----------------------------------------------------------------------------

    def looks_like_code(self, text: str) -> bool:
        return looks_like_code(text)

    def redeem(self, inc: Incoming, text: str) -> Person:
        """Bind the sender's account to the person of invite `text`; UserError says why not."""
        now = self.clock.now()
        invite = self.store.invites.get(normalize(text))
        if invite is None:
            raise UserError("invite.unknown")
        if invite.used_at is not None or invite.voided:
            raise UserError("invite.used")
        if invite.expires_at <= now:
            raise UserError("invite.expired")
        person = self.store.people.get(invite.person_id)
        if person is None or not person.active:
            raise UserError("invite.used")
        sender = inc.sender
        if sender.platform != invite.platform:
            raise UserError("invite.wrong_platform", platform=invite.platform.capitalize())
        if invite.platform == "zalo" and sender.bot != invite.bot:
            raise UserError("invite.wrong_bot", bot=invite.bot)
        key = sender.key
        if any(a.key == key for a in person.accounts):
            raise UserError("invite.already_yours", name=person.name)
        current = self.store.people.by_account(key)
        if current is not None and current.active and current.roles:
            # Someone with roles of their own: moving them needs an officer, not a code.
            raise UserError("invite.account_taken", id=current.id)
        with self.store.atomic():
            if current is not None:
                rest = tuple(a for a in current.accounts if a.key != key)
                self.store.people.save(replace(current, accounts=rest, active=bool(rest)))
            # A re-invite replaces the lost account(s) on this platform: they are unbound.
            kept = tuple(
                a
                for a in person.accounts
                if not (invite.replaces and a.key.split(":", 1)[0] == invite.platform)
            )
            dropped = len(person.accounts) - len(kept)
            account = Account(
                key=key, display_name=inc.sender_name, reachable=inc.chat.kind is ChatKind.PRIVATE
            )
            person = replace(person, accounts=(*kept, account))
            self.store.people.save(person)
            self.store.invites.save(replace(invite, used_at=now, used_by=key))
            self.audit.record(
                "people.bind",
                who=person_who(person.id),
                where=inc.chat.key,
                target=f"person:{person.id}",
                detail={
                    "platform": invite.platform,
                    "bot": invite.bot,
                    "replaced": dropped,
                    "from_person": current.id if current is not None else None,
                },
            )
        log.info("invite redeemed person=%s platform=%s", person.id, invite.platform)
        return person

    def welcome(self, person: Person, lang: str) -> str:
        """What the newly bound person is told: who they are here and their roles."""
        roles = "; ".join(
            f"{self.translate(lang, f'role.{g.role.value}')} {self.areas.get(g.area).name}"
            for g in person.roles
            if g.area in self.areas
        )
        return self.translate(
            lang, "invite.welcome", name=person.name, id=person.id, roles=roles or "-"
        )
