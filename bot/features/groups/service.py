"""Group chats bound to areas: where directives, reminders and group reports for an area go.

A platform's plan may cap the groups one bot is bound to (Zalo's free plan: 3 groups per bot,
beta): `limits` holds each capped bot's number, and a binding past it is refused. What a group
on Zalo hears (only mentions of the bot and replies to it; a photo only with the mention in its
own caption) is told when it is bound."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError, WrongPlace
from bot.core.messages import ChatKind, ChatRef, Incoming
from bot.core.models import Area, GroupBinding, Role
from bot.features.audit.log import AuditLog

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)

BINDERS = (Role.OFFICER, Role.ADMIN)
ZALO = "zalo"
# What an officer types after /gannhom to unbind the group (folded).
UNBIND_WORDS = frozenset({"bo", "bo gan", "go", "go bo", "huy gan", "off", "unbind"})


class Groups:
    """Binds groups to areas after checking the sender's role and group admin rights."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        audit: AuditLog,
        limits: Mapping[tuple[str, str], int | None] | None = None,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.audit = audit
        # (platform, bot) → how many groups the bot may be bound to; absent or None: no cap.
        self.limits = {k: v for k, v in (limits or {}).items() if v is not None}

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
        if current is None:
            self._check_limit(inc.chat)
        return current

    def _check_limit(self, chat: ChatRef) -> None:
        """Refuse a new group past the bot's plan (Zalo's free plan: 3 groups per bot)."""
        limit = self.limits.get((chat.platform, chat.bot))
        if limit is None:
            return
        others = [b for b in self.bound_on(chat) if b.chat_key != chat.key]
        if len(others) >= limit:
            names = ", ".join(sorted(self._name(b.area) for b in others))
            raise UserError("bind.zalo_full", limit=limit, groups=names or "—")

    def bound_on(self, chat: ChatRef) -> list[GroupBinding]:
        """The active bindings of groups on the same bot as `chat`."""
        prefix = f"{chat.platform}:{chat.bot}:"
        return [b for b in self.store.groups.all() if b.active and b.chat_key.startswith(prefix)]

    def notes(self, chat: ChatRef) -> list[tuple[str, dict[str, object]]]:
        """What the reply to /gannhom adds on this platform: on Zalo, what a group hears and how
        many groups the bot is bound to of its plan's; none elsewhere."""
        if chat.platform != ZALO:
            return []
        notes: list[tuple[str, dict[str, object]]] = [("bind.zalo_hearing", {})]
        limit = self.limits.get((chat.platform, chat.bot))
        if limit is not None:
            notes.append(("bind.zalo_slots", {"used": len(self.bound_on(chat)), "limit": limit}))
        return notes

    def unbind(self, actor: Actor, inc: Incoming) -> GroupBinding:
        """Unbind the group of `inc` (an officer of its area, or an admin): directives and
        reminders of its area go to its people privately again; on a capped bot, a place is
        freed for another group."""
        if inc.chat.kind is not ChatKind.GROUP:
            raise WrongPlace("where.group_only")
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        current = self.binding(inc.chat.key)
        if current is None:
            raise UserError("bind.none")
        if not actor.covers(self.areas, current.area, BINDERS):
            raise Forbidden("bind.taken", area=self._name(current.area))
        with self.store.atomic():
            self.store.groups.remove(inc.chat.key)
            self.audit.by(actor, "group.unbind", target=current.area)
        log.info("group unbound chat=%s area=%s", inc.chat.key, current.area)
        return current

    def _name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code

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
