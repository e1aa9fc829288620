"""Requests to join a village as its collaborator, and officers' decisions on them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import Incoming
from bot.core.models import Area, Person, Registration, RegistrationStatus, Role, RoleGrant
from bot.features.audit.log import AuditLog
from bot.features.people.registration.village_lookup import label

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.sender import Notifier
    from bot.features.people.directory import People
    from bot.features.people.registration.approval_notices import ApprovalNotices
    from bot.features.people.registration.registration_summary import RegistrationSummary
    from bot.store.base import Store

log = logging.getLogger(__name__)

DECIDERS = (Role.OFFICER, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """A pending registration with the person and the village it names."""

    registration: Registration
    person: Person
    area: Area


class Registrations:
    """Collaborators ask to join a village; officers of that village's area approve or refuse."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        people: People,
        clock: Clock,
        notifier: Notifier,
        notices: ApprovalNotices,
        summary: RegistrationSummary,
        audit: AuditLog,
        tz: ZoneInfo,
    ) -> None:
        self.store = store
        self.areas = areas
        self.people = people
        self.clock = clock
        self.notifier = notifier
        self.notices = notices  # to the officers, with the decision's buttons
        self.summary = summary  # the daily summary some officers choose instead
        self.audit = audit
        self.tz = tz

    async def request(self, inc: Incoming, village: Area) -> tuple[Registration, bool]:
        """File a pending registration (or return the pending one) and tell the officers."""
        person = self.people.ensure_person(inc)
        if any(g.role is Role.COLLABORATOR and g.area == village.code for g in person.roles):
            raise UserError("register.already", area=label(self.areas, village))
        for reg in self.store.registrations.for_person(person.id):
            if reg.status is RegistrationStatus.PENDING and reg.area == village.code:
                return reg, False
        reg = self.store.registrations.add(
            person_id=person.id, area=village.code, requested_at=self.clock.now()
        )
        log.info("registration id=%s area=%s", reg.id, village.code)
        officers = self.people.holders_over(village.code, DECIDERS)
        params = {"name": person.name, "area": label(self.areas, village), "n": reg.id}
        for officer in officers:
            if not self.summary.chosen_by(officer.id):  # else their daily summary names it
                await self.notices.tell(officer, **params)
        if not officers:
            await self.notices.tell_admins(**params)
        return reg, True

    def refuse_if_waiting(self, person: Person) -> None:
        """A newcomer whose registration still waits is told so (since when, who decides),
        rather than that a collaborator's command is not for them."""
        pending = [r for r in self.pending_of(person.id) if r.area in self.areas]
        if not pending:
            return
        reg = pending[0]
        since = reg.requested_at.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")
        area = label(self.areas, self.areas.get(reg.area))
        officers = [p.name for p in self._nearest_officers(reg.area)]
        if not officers:
            raise Forbidden("register.waiting_admins", area=area, since=since)
        raise Forbidden("register.waiting", area=area, since=since, who=", ".join(officers[:3]))

    def _nearest_officers(self, area: str) -> list[Person]:
        """Officers over `area`, the commune's own before those of the region or province."""

        def depth(person: Person) -> int:
            return max(
                len(self.areas.get(g.area).path)
                for g in person.roles
                if g.role is Role.OFFICER and self.areas.contains(g.area, area)
            )

        return sorted(self.people.holders_over(area, (Role.OFFICER,)), key=depth, reverse=True)

    def pending_of(self, person_id: int) -> list[Registration]:
        """The person's own registrations still waiting for a decision."""
        return [
            r
            for r in self.store.registrations.for_person(person_id)
            if r.status is RegistrationStatus.PENDING
        ]

    def pending_for(self, actor: Actor) -> list[PendingItem]:
        """Pending registrations inside the actor's area, oldest first."""
        items = []
        for reg in self.store.registrations.pending():
            if not actor.covers(self.areas, reg.area, DECIDERS):
                continue
            person = self.store.people.get(reg.person_id)
            if person is not None:
                items.append(PendingItem(reg, person, self.areas.get(reg.area)))
        return sorted(items, key=lambda i: i.registration.id)

    async def decide(self, actor: Actor, reg_id: int, *, approve: bool) -> PendingItem:
        """Approve (grant the collaborator role) or refuse a pending registration, atomically."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        reg = self.store.registrations.get(reg_id)
        if reg is None:
            raise NotFound("approve.not_found", n=reg_id)
        if not actor.covers(self.areas, reg.area, DECIDERS):
            raise Forbidden("approve.not_your_area", area=self.areas.get(reg.area).name)
        if reg.status is not RegistrationStatus.PENDING:
            raise UserError("approve.not_pending", n=reg_id)
        person = self.store.people.get(reg.person_id)
        if person is None:
            raise NotFound("approve.not_found", n=reg_id)
        now = self.clock.now()
        decided_by = actor.person.id if actor.person else None
        status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED
        reg = replace(reg, status=status, decided_by=decided_by, decided_at=now)
        with self.store.atomic():
            self.store.registrations.save(reg)
            if approve:
                grant = RoleGrant(
                    Role.COLLABORATOR, reg.area, str(decided_by or actor.user.key), now
                )
                person = replace(person, roles=(*person.roles, grant))
                self.store.people.save(person)
            self.audit.by(
                actor,
                "registration.approve" if approve else "registration.refuse",
                target=f"person:{person.id}",
                detail={"registration": reg.id, "area": reg.area},
            )
        area = self.areas.get(reg.area)
        key = "register.approved" if approve else "register.rejected"
        await self.notifier.notify(person, key, area=label(self.areas, area))
        log.info("registration id=%s decided status=%s", reg.id, status)
        return PendingItem(reg, person, area)
