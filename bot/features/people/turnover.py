"""People change: a fresh invite for a lost phone, a village's collaborator replaced, a person
deactivated (history kept), and who in an area the bot cannot reach privately.

Officers act on collaborators inside their own area's subtree; anything about an officer,
supervisor or admin (or a person with no role) needs an admin.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.admin_records import Invite
from bot.core.errors import Forbidden, UserError
from bot.core.models import Area, Person, Role, RoleGrant
from bot.features.audit.log import AuditLog, person_who
from bot.features.people.directory import OFFICER_GRANTABLE
from bot.features.people.zalo_seats import Seat, ZaloSeats

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.features.people.invites import Invites
    from bot.store.base import Store

log = logging.getLogger(__name__)
READERS = (Role.OFFICER, Role.SUPERVISOR)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person of an area as /nguoi shows them."""

    person: Person
    platforms: tuple[str, ...]  # "telegram", "zalo:zalo1"; from accounts, else a live invite
    reachable: bool  # some account wrote to the bot privately and was not refused since
    invited: Invite | None  # a live invite not yet redeemed


class Turnover:
    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        invites: Invites,
        seats: Sequence[Seat],
        clock: Clock,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        self.invites = invites
        self.seats = list(seats)
        self.clock = clock
        self.audit = audit

    def may_manage(self, actor: Actor, target: Person) -> None:
        """Forbidden unless `actor` may change `target`: every grant of theirs inside the
        actor's area, and only collaborator grants unless the actor is an admin over them."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        if not target.roles:
            if not actor.covers(self.areas, self.areas.root.code, ()):
                raise Forbidden("turnover.admin_only", name=target.name, id=target.id)
            return
        for grant in target.roles:
            if actor.covers(self.areas, grant.area, ()):
                continue  # an admin over that area
            if grant.role not in OFFICER_GRANTABLE:
                raise Forbidden("turnover.admin_only", name=target.name, id=target.id)
            if not actor.covers(self.areas, grant.area, (Role.OFFICER,)):
                raise Forbidden("role.not_your_area", area=self._name(grant.area))

    def reinvite(self, actor: Actor, target: Person, platform: str = "") -> Invite:
        """A fresh invite whose redeeming account replaces `target`'s accounts on `platform`
        (default: the platform of their accounts, else the actor's)."""
        self.may_manage(actor, target)
        if not target.active:
            raise UserError("turnover.inactive", name=target.name, id=target.id)
        platforms = [a.key.split(":", 1)[0] for a in target.accounts]
        platform = platform or (platforms[-1] if platforms else actor.user.platform)
        bot = ""
        if platform == "zalo":
            bot = self._zalo_bot(target)
        with self.store.atomic():
            invite = self.invites.issue(
                target, platform, bot=bot, replaces=True, created_by=_who(actor)
            )
            self.audit.record(
                "people.reinvite", who=_who(actor), where=_where(actor),
                target=f"person:{target.id}", detail={"platform": platform, "bot": bot},
            )  # fmt: skip
        return invite

    def _zalo_bot(self, target: Person) -> str:
        if not self.seats:
            raise UserError("turnover.no_zalo")
        area = target.roles[0].area if target.roles else self.areas.root.code
        now = self.clock.now()
        seats = ZaloSeats.load(
            self.seats, self.areas, people=self.store.people.all(),
            invites=self.store.invites.all(), now=now,
        )  # fmt: skip
        bot = seats.place(target.id, area)
        if bot is None:
            raise UserError("turnover.zalo_full", bots=seats.full_report(area))
        return bot

    def replace_collaborator(self, actor: Actor, village: Area, new: Person) -> list[Person]:
        """Move the collaborator role over `village` to `new`; the former holders keep their
        history and lose the role. Returns the former holders."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        if not actor.covers(self.areas, village.code, (Role.OFFICER,)):
            raise Forbidden("role.not_your_area", area=village.name)
        if not new.active:
            raise UserError("turnover.inactive", name=new.name, id=new.id)
        old = [
            p
            for p in self.store.people.all()
            if p.id != new.id
            and p.active
            and any(g.role is Role.COLLABORATOR and g.area == village.code for g in p.roles)
        ]
        now = self.clock.now()
        grant = RoleGrant(Role.COLLABORATOR, village.code, _who(actor), now)
        with self.store.atomic():
            for person in old:
                roles = tuple(
                    g
                    for g in person.roles
                    if not (g.role is Role.COLLABORATOR and g.area == village.code)
                )
                self.store.people.save(replace(person, roles=roles))
            if not any(g.role is Role.COLLABORATOR and g.area == village.code for g in new.roles):
                self.store.people.save(replace(new, roles=(*new.roles, grant)))
            self.audit.record(
                "people.replace", who=_who(actor), where=_where(actor), target=village.code,
                detail={"new": new.id, "old": [p.id for p in old]},
            )  # fmt: skip
        log.info("collaborator replaced area=%s new=%s old=%d", village.code, new.id, len(old))
        return old

    def deactivate(self, actor: Actor, target: Person) -> Person:
        """Stop `target`: no roles count, their messages are refused, their invites void;
        their reports and records stay."""
        if actor.person is not None and actor.person.id == target.id:
            raise UserError("turnover.not_yourself")
        self.may_manage(actor, target)
        if not target.active:
            raise UserError("turnover.inactive", name=target.name, id=target.id)
        target = replace(target, active=False)
        with self.store.atomic():
            self.store.people.save(target)
            voided = self.invites.void_for(target.id)
            self.audit.record(
                "people.deactivate", who=_who(actor), where=_where(actor),
                target=f"person:{target.id}", detail={"invites_voided": voided},
            )  # fmt: skip
        log.info("person deactivated id=%s", target.id)
        return target

    def roster(self, actor: Actor, area: str) -> list[RosterEntry]:
        """Active people with a role inside `area`, those the bot cannot reach first."""
        if not actor.covers(self.areas, area, READERS):
            raise Forbidden("role.not_your_area", area=self._name(area))
        now = self.clock.now()
        live: dict[int, Invite] = {}
        for invite in self.store.invites.all():
            if invite.used_at is None and not invite.voided and invite.expires_at > now:
                live[invite.person_id] = invite
        entries = []
        for p in self.store.people.all():
            if not p.active or not any(self.areas.contains(area, g.area) for g in p.roles):
                continue
            platforms = tuple(_platform(a.key) for a in p.accounts)
            invite = live.get(p.id)
            if not platforms and invite is not None:
                platforms = (f"zalo:{invite.bot}" if invite.bot else invite.platform,)
            reachable = any(a.reachable for a in p.accounts)
            entries.append(RosterEntry(p, platforms, reachable, invite))
        return sorted(entries, key=lambda e: (e.reachable, e.person.id))

    def _name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code


def _platform(key: str) -> str:
    parts = key.split(":")
    return f"zalo:{parts[1]}" if parts[0] == "zalo" and len(parts) == 3 else parts[0]


def _who(actor: Actor) -> str:
    return person_who(actor.person.id) if actor.person else f"account:{actor.user.key}"


def _where(actor: Actor) -> str:
    chat = getattr(actor, "chat", None)
    return chat.key if chat is not None else "chat"
