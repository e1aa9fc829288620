"""Group chats bound to areas: where directives, reminders and group reports for an area go."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, WrongPlace
from bot.core.messages import ChatKind, Incoming
from bot.core.models import Area, GroupBinding, Role
from bot.features.audit.log import AuditLog

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)

BINDERS = (Role.OFFICER, Role.ADMIN)


class Groups:
    """Binds groups to areas after checking the sender's role and group admin rights."""

    def __init__(self, *, store: Store, areas: AreaTree, clock: Clock, audit: AuditLog) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.audit = audit

    def binding(self, chat_key: str) -> GroupBinding | None:
        binding = self.store.groups.get(chat_key)
        return binding if binding is not None and binding.active else None

    def mark_unreachable(self, chat_key: str) -> None:
        """The bot was removed from the group: stop counting it as a place to send to."""
        binding = self.store.groups.get(chat_key)
        if binding is not None and binding.active:
            self.store.groups.save(replace(binding, active=False))
            log.info("group unreachable, binding paused chat=%s", chat_key)

    def check(
        self, actor: Actor, inc: Incoming, area: Area, *, group_admin: bool | None = None
    ) -> GroupBinding | None:
        """Refuse a binding this actor may not make here (a Forbidden or WrongPlace); the
        group's current binding otherwise. Changes nothing, so the handler can refuse early,
        before it asks the platform anything."""
        if inc.chat.kind is not ChatKind.GROUP:
            raise WrongPlace("where.group_only")
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        if not actor.covers(self.areas, area.code, BINDERS):
            raise Forbidden("bind.not_your_area", area=area.name)
        if group_admin is False:
            raise Forbidden("bind.not_group_admin")
        current = self.binding(inc.chat.key)
        if current is not None and not actor.covers(self.areas, current.area, BINDERS):
            # Someone of another area cannot take over a group that is already bound.
            raise Forbidden("bind.taken", area=self.areas.get(current.area).name)
        return current

    def bind(
        self, actor: Actor, inc: Incoming, area: Area, *, group_admin: bool | None, title: str = ""
    ) -> GroupBinding:
        """Bind the group of `inc` to `area`; `group_admin` None: the platform cannot tell.
        The caller has asked the platform everything first: this stores, and nothing after it
        may fail (a command reports what it did, or changes nothing)."""
        current = self.check(actor, inc, area, group_admin=group_admin)
        binding = GroupBinding(
            chat_key=inc.chat.key,
            area=area.code,
            title=title,
            bound_by=actor.person.id if actor.person else None,
            bound_at=self.clock.now(),
        )
        with self.store.atomic():
            self.store.groups.save(binding)
            self.audit.by(
                actor,
                "group.bind",
                target=area.code,
                detail={"previous": current.area} if current is not None else None,
            )
        log.info("group bound chat=%s area=%s", inc.chat.key, area.code)
        return binding
