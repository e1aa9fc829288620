"""Official clarifications against rumours: the registry officers keep; the watch that answers
a rumour in a group with its clarification and tells the area's officers (watch.py); and the
steps by which officers teach it from an alert (teaching.py)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef, Incoming
from bot.core.models import Area, Clarification, OutboxFile, Person, Role
from bot.core.places import resolve
from bot.delivery.attachments import keep_attachment
from bot.features.audit.log import AuditLog
from bot.features.clarifications.rumour_counts import counted
from bot.features.clarifications.teaching import Taught, Teaching
from bot.features.clarifications.text import ClarificationParts, parse_parts
from bot.features.clarifications.watch import Heard, RumourWatch

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.features.clarifications.text import ClarificationText
    from bot.store.base import Store

log = logging.getLogger(__name__)

KEEPERS = (Role.OFFICER, Role.ADMIN)
RECENT_DAYS = 7  # sightings counted in /dinhchinh ds


class Clarifications:
    """The registry's rules (who keeps what) and the watch over group talk."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        tz: ZoneInfo,
        outbox: Outbox,
        delivery: Delivery,
        files: FileStore,
        links: FileLinks,
        text: ClarificationText,
        default_lang: str,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.delivery = delivery
        self.files = files
        self.text = text
        self.audit = audit
        self.watcher = RumourWatch(
            store=store, areas=areas, clock=clock, tz=tz, outbox=outbox, delivery=delivery,
            files=files, links=links, text=text, default_lang=default_lang,
        )  # fmt: skip
        self.teaching = Teaching(
            store=store, areas=areas, clock=clock, audit=audit, watch=self.watcher,
            keepers=KEEPERS,
        )  # fmt: skip

    # --- the registry --------------------------------------------------------------------------

    def add(self, actor: Actor, args: str, *, file: OutboxFile | None) -> Clarification:
        parts = parse_parts(args, need_all=True)
        assert parts.phrases is not None and parts.text is not None
        area = self._area(actor, parts.area)
        author = actor.person.id if actor.person else None
        with self.store.atomic():
            stored = self.store.clarifications.add(
                Clarification(
                    id=0, area=area.code, text=parts.text, phrases=parts.phrases,
                    created_at=self.clock.now(), author=author, source=parts.source or "",
                    file=file,
                )
            )  # fmt: skip
            self.audit.by(
                actor, "clarification.add", target=f"clarification:{stored.id}",
                detail={"area": area.code, "phrases": len(parts.phrases)},
            )  # fmt: skip
        log.info(
            "clarification=%s added area=%s phrases=%d", stored.id, area.code, len(parts.phrases)
        )
        return stored

    def edit(
        self, actor: Actor, number: int, args: str, *, file: OutboxFile | None
    ) -> Clarification:
        """Change the parts given (phrases, text, source, area, or the file replied to)."""
        c = self.kept(actor, number)
        parts = parse_parts(args, need_all=False) if args.strip() else ClarificationParts()
        if parts == ClarificationParts() and file is None:
            raise UserError("clarify.edit_usage", number=number)
        area = self._area(actor, parts.area).code if parts.area is not None else c.area
        c = replace(
            c, area=area, phrases=parts.phrases or c.phrases, text=parts.text or c.text,
            source=c.source if parts.source is None else parts.source, file=file or c.file,
            updated_at=self.clock.now(), retired_at=None,
        )  # fmt: skip
        with self.store.atomic():
            self.store.clarifications.save(c)
            self.audit.by(
                actor, "clarification.edit", target=f"clarification:{c.id}",
                detail={"area": c.area},
            )  # fmt: skip
        return c

    def retire(self, actor: Actor, number: int) -> Clarification:
        c = self.kept(actor, number)
        if c.retired_at is None:
            c = replace(c, retired_at=self.clock.now())
            with self.store.atomic():
                self.store.clarifications.save(c)
                self.audit.by(
                    actor, "clarification.retire", target=f"clarification:{c.id}",
                    detail={"area": c.area},
                )  # fmt: skip
        return c

    def kept(self, actor: Actor, number: int) -> Clarification:
        """Clarification `number`, if the actor keeps its area (an officer over it, an admin)."""
        c = self.store.clarifications.get(number)
        if c is None:
            raise NotFound("clarify.not_found", number=number)
        if not actor.covers(self.areas, c.area, KEEPERS):
            raise Forbidden("clarify.not_yours", number=number, area=self.area_name(c.area))
        return c

    def visible(self, actor: Actor) -> list[Clarification]:
        """The active clarifications that reach into the actor's areas, newest first."""
        mine = actor.areas_of(KEEPERS)
        return [
            c for c in reversed(self.store.clarifications.all())
            if c.retired_at is None and any(self._overlap(c.area, a) for a in mine)
        ]  # fmt: skip

    def sightings_of(self, number: int, *, days: int = RECENT_DAYS) -> int:
        since = self.clock.now() - timedelta(days=days)
        return sum(
            1
            for s in self.store.sightings.since(since)
            if s.clarification == number and counted(s)
        )

    def area_name(self, code: str) -> str:
        return self.watcher.area_name(code)

    def _area(self, actor: Actor, named: str | None) -> Area:
        if named:
            area = resolve(self.areas, named)
            if not actor.covers(self.areas, area.code, KEEPERS):
                raise Forbidden("clarify.area_not_yours", area=area.name)
            return area
        mine = [self.areas.get(c) for c in actor.areas_of(KEEPERS) if c in self.areas]
        if not mine:
            raise Forbidden("clarify.no_area")
        return min(mine, key=lambda a: len(a.path))  # the widest

    def _overlap(self, a: str, b: str) -> bool:
        return self.watcher._overlap(a, b)

    async def keep_file(self, inc: Incoming, person: Person | None) -> OutboxFile | None:
        """The document or photo sent with the command or in the message replied to, kept."""
        owner = person.id if person else None
        return await keep_attachment(inc, delivery=self.delivery, files=self.files, owner=owner)

    # --- the watch and its teaching -------------------------------------------------------------

    async def hearing_note(self, chat: ChatRef, *, strict: bool = False) -> str:
        """The catalog key of a note that the watch cannot read ordinary talk in group `chat`
        (in a private chat: in groups on its platform) and how to let it; "" when it can, or
        cannot tell (`strict`: a DeliveryError when the platform could not be asked)."""
        if await self.delivery.hears_group(chat, strict=strict) is not False:
            return ""
        if chat.platform != "telegram":
            return "watch.mentions_only"
        return "watch.deaf_group" if chat.kind is ChatKind.GROUP else "watch.deaf_privacy"

    def watch(self, inc: Incoming) -> Heard | None:
        """Group talk: the clarification to post under a rumour, or None (see RumourWatch)."""
        return self.watcher.watch(inc)

    def not_rumour(self, actor: Actor, sighting: int) -> Taught:
        """From an alert: "không phải tin đồn" (see Teaching)."""
        return self.teaching.not_rumour(actor, sighting)

    def add_phrase(self, actor: Actor, sighting: int) -> Taught:
        """From an alert: the message's claim becomes a phrase (see Teaching)."""
        return self.teaching.add_phrase(actor, sighting)
