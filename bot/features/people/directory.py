"""People, accounts and roles: who someone is, first contact, reachability, and role changes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, Incoming, UserRef
from bot.core.models import Account, Person, Role, RoleGrant
from bot.core.text import fold
from bot.features.audit.log import AuditLog

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)

ROLE_WORDS: dict[str, Role | None] = {
    "ctv": Role.COLLABORATOR,
    "cong tac vien": Role.COLLABORATOR,
    "collaborator": Role.COLLABORATOR,
    "canbo": Role.OFFICER,
    "can bo": Role.OFFICER,
    "officer": Role.OFFICER,
    "giamsat": Role.SUPERVISOR,
    "giam sat": Role.SUPERVISOR,
    "supervisor": Role.SUPERVISOR,
    "admin": Role.ADMIN,
    "quantri": Role.ADMIN,
    "quan tri": Role.ADMIN,
    "xoa": None,
    "remove": None,
}
# What an officer may grant inside their own area; everything else needs an admin.
OFFICER_GRANTABLE = frozenset({Role.COLLABORATOR})


class People:
    """Looks people up by platform identity and keeps their accounts and roles."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        admins: Sequence[tuple[str, str]],
        clock: Clock,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        # Config admins are checked on every event from the file, so removing one revokes at once.
        self.config_admins: dict[str, list[str]] = {}
        for key, area in admins:
            self.config_admins.setdefault(key, []).append(area or areas.root.code)
        self.clock = clock
        self.audit = audit

    # --- identity ---------------------------------------------------------------------------

    def actor(self, inc: Incoming) -> Actor:
        """The Actor for an event: the person behind the sender id and their grants."""
        if inc.sender_anonymous:
            # Every anonymous admin shares one Telegram id: it must never carry a person or role.
            return Actor(
                user=inc.sender, name=inc.sender_name, person=None, grants=(), anonymous=True,
                chat=inc.chat,
            )  # fmt: skip
        person = self.store.people.by_account(inc.sender.key)
        return Actor(
            user=inc.sender,
            name=inc.sender_name,
            person=person,
            grants=self.grants_of(person, inc.sender),
            anonymous=inc.sender_anonymous,
            chat=inc.chat,
        )

    def grants_of(
        self, person: Person | None, user: UserRef | None = None
    ) -> tuple[RoleGrant, ...]:
        """Stored grants of an active person plus config-admin grants. The config names
        accounts: an acting account (`user`) is an admin only when it is named itself, never
        through another account linked to the same person; without one (who receives what),
        any of the person's accounts counts."""
        grants: list[RoleGrant] = []
        keys = {user.key} if user else set()
        if person is not None:
            if user is None:
                keys |= {a.key for a in person.accounts}
            if person.active:
                grants.extend(person.roles)
        for key in sorted(keys):
            grants.extend(
                RoleGrant(Role.ADMIN, area, "config") for area in self.config_admins.get(key, ())
            )
        return tuple(grants)

    def touch(self, inc: Incoming) -> None:
        """Note that a known person wrote (in private: now reachable) and their name."""
        if inc.sender_anonymous:
            return
        person = self.store.people.by_account(inc.sender.key)
        if person is None:
            return
        private = inc.chat.kind is ChatKind.PRIVATE
        changed = False
        accounts = []
        for acc in person.accounts:
            if acc.key == inc.sender.key:
                new = replace(
                    acc,
                    reachable=acc.reachable or private,
                    display_name=inc.sender_name or acc.display_name,
                )
                changed = changed or new != acc
                acc = new
            accounts.append(acc)
        if changed:
            self.store.people.save(replace(person, accounts=tuple(accounts)))

    def ensure_person(self, inc: Incoming) -> Person:
        """The sender's person record, created at first contact."""
        if inc.sender_anonymous:
            raise Forbidden("anonymous.refused")
        person = self.store.people.by_account(inc.sender.key)
        if person is not None:
            return person
        account = Account(
            key=inc.sender.key,
            display_name=inc.sender_name,
            reachable=inc.chat.kind is ChatKind.PRIVATE,
        )
        person = self.store.people.add(
            name=inc.sender_name or inc.sender.id, accounts=(account,), created_at=self.clock.now()
        )
        log.info("new person id=%s platform=%s", person.id, inc.sender.platform)
        return person

    def mark_unreachable(self, user_key: str) -> None:
        """A private send was refused: the bot can no longer reach this account."""
        person = self.store.people.by_account(user_key)
        if person is None:
            return
        accounts = tuple(
            replace(a, reachable=False) if a.key == user_key else a for a in person.accounts
        )
        if accounts != person.accounts:
            self.store.people.save(replace(person, accounts=accounts))

    def set_language(self, person: Person, lang: str) -> Person:
        person = replace(person, language=lang)
        self.store.people.save(person)
        return person

    # --- lookups ----------------------------------------------------------------------------

    def find(self, text: str) -> Person:
        """A person by short number (12, #12) or by account key (telegram:42)."""
        raw = text.strip().lstrip("#")
        person: Person | None = None
        if raw.isdigit():
            person = self.store.people.get(int(raw))
        elif ":" in raw:
            person = self.store.people.by_account(raw)
        if person is None:
            raise NotFound("people.not_found", who=text.strip())
        return person

    def in_area(self, area: str) -> list[Person]:
        """Active people holding any role inside `area`'s subtree."""
        return [
            p
            for p in self.store.people.all()
            if p.active and any(self.areas.contains(area, g.area) for g in p.roles)
        ]

    def holders_over(self, area: str, roles: Sequence[Role]) -> list[Person]:
        """Active people whose grant of one of `roles` covers `area` (officers of a village…)."""
        wanted = set(roles)
        return [
            p
            for p in self.store.people.all()
            if p.active
            and any(g.role in wanted and self.areas.contains(g.area, area) for g in p.roles)
        ]

    # --- role changes -----------------------------------------------------------------------

    def parse_role(self, words: str) -> tuple[Role | None, str]:
        """Split `<role> <area…>` into the role (None: remove) and the rest."""
        tokens = words.split()
        for n in (3, 2, 1):
            if len(tokens) >= n and fold(" ".join(tokens[:n])) in ROLE_WORDS:
                return ROLE_WORDS[fold(" ".join(tokens[:n]))], " ".join(tokens[n:])
        raise UserError("role.bad_role", role=tokens[0] if tokens else "")

    def set_role(self, actor: Actor, target: Person, role: Role | None, area_code: str) -> Person:
        """Grant `role` over `area_code` (or remove grants there when role is None)."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        grantable = (
            {role} if role is not None else {g.role for g in target.roles if g.area == area_code}
        )
        for wanted in grantable or {Role.COLLABORATOR}:
            needs_admin = wanted not in OFFICER_GRANTABLE
            allowed = (Role.ADMIN,) if needs_admin else (Role.OFFICER, Role.ADMIN)
            if not actor.covers(self.areas, area_code, allowed):
                key = "role.admin_only" if needs_admin else "role.not_your_area"
                raise Forbidden(key, area=self.areas.get(area_code).name)
        now = self.clock.now()
        if role is None:
            roles = tuple(g for g in target.roles if g.area != area_code)
        else:
            by = actor.person.id if actor.person else actor.user.key
            kept = tuple(g for g in target.roles if (g.role, g.area) != (role, area_code))
            roles = (*kept, RoleGrant(role, area_code, str(by), now))
        removed = {g.role.value for g in target.roles if g.area == area_code}
        target = replace(target, roles=roles)
        with self.store.atomic():
            self.store.people.save(target)
            self.audit.by(
                actor,
                "role.remove" if role is None else "role.grant",
                target=f"person:{target.id}",
                detail={
                    "role": ",".join(sorted(removed)) if role is None else role.value,
                    "area": area_code,
                },
            )
        log.info("role change target=%s role=%s area=%s", target.id, role, area_code)
        return target
