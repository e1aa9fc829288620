"""Official clarifications against rumours: the registry officers keep, and the watch that
answers a rumour in a group with its clarification and tells the area's officers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef, Incoming, OutFile, UserRef
from bot.core.models import Area, Clarification, OutboxFile, Person, Role, RumourSighting
from bot.core.places import resolve
from bot.delivery.attachments import file_for_chat, keep_attachment
from bot.delivery.outbox import Message
from bot.features.audit.log import AuditLog
from bot.features.broadcast.reach import private_account
from bot.features.clarifications.rumour_match import Rumour, best_match
from bot.features.clarifications.text import ClarificationParts, excerpt, parse_parts

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


@dataclass(frozen=True, slots=True)
class Heard:
    """What the watch answers in the group (None from watch(): stay quiet)."""

    text: str
    file: OutFile | None
    clarification: int


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
        self.tz = tz
        self.outbox = outbox
        self.delivery = delivery
        self.files = files
        self.links = links
        self.text = text
        self.default_lang = default_lang
        self.audit = audit
        self._rumours: dict[int, tuple[tuple[str, ...], list[Rumour]]] = {}

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
        return sum(1 for s in self.store.sightings.since(since) if s.clarification == number)

    def area_name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code

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
        if a not in self.areas or b not in self.areas:
            return False
        return self.areas.contains(a, b) or self.areas.contains(b, a)

    async def keep_file(self, inc: Incoming, person: Person | None) -> OutboxFile | None:
        """The document or photo sent with the command or in the message replied to, kept."""
        owner = person.id if person else None
        return await keep_attachment(inc, delivery=self.delivery, files=self.files, owner=owner)

    # --- the watch -----------------------------------------------------------------------------

    async def hearing_note(self, chat: ChatRef) -> str:
        """The catalog key of a note that the watch cannot read ordinary talk in group `chat`
        (in a private chat: in groups on its platform) and how to let it; "" when it can."""
        if await self.delivery.hears_group(chat) is not False:
            return ""
        if chat.platform != "telegram":
            return "watch.mentions_only"
        return "watch.deaf_group" if chat.kind is ChatKind.GROUP else "watch.deaf_privacy"

    def watch(self, inc: Incoming) -> Heard | None:
        """A group message that repeats a registered rumour: store the sighting, tell the area's
        officers, and give the clarification to post under it (once a group, clarification and
        day; later sightings that day are stored and told, not answered again)."""
        if inc.chat.kind is not ChatKind.GROUP or inc.sender_is_bot or not inc.text.strip():
            return None
        binding = self.store.groups.get(inc.chat.key)
        if binding is None or not binding.active or binding.area not in self.areas:
            return None
        found = best_match(inc.text, self._rumours_for(binding.area))
        if found is None:
            return None
        c = self.store.clarifications.get(found.key)
        if c is None:
            return None
        now = self.clock.now()
        day = datetime.combine(now.astimezone(self.tz).date(), time(), self.tz)
        today = [
            s for s in self.store.sightings.since(day)
            if s.clarification == c.id and s.chat_key == inc.chat.key
        ]  # fmt: skip
        answer = not any(s.replied for s in today)
        repeat = any(s.sender == inc.sender.key for s in today)
        group = binding.title or self.area_name(binding.area)
        messages = [] if repeat else self._alerts(c, inc, binding.area, group, replied=answer)
        sighting = RumourSighting(
            id=0, clarification=c.id, chat_key=inc.chat.key, area=binding.area,
            sender=inc.sender.key, sender_name=inc.sender_name, text=excerpt(inc.text),
            at=now, message_id=inc.message_id, phrase=found.phrase, replied=answer,
            alerted=len(messages),
        )  # fmt: skip
        try:
            with self.store.atomic():
                self.store.sightings.add(sighting)
                if messages:
                    self.outbox.enqueue(messages, kind="rumour.alert", ref=f"clarification:{c.id}")
        except UserError as exc:  # a Zalo quota that cannot cover the alerts: keep the sighting
            log.warning("clarification=%s alerts not sent: %s", c.id, exc.key)
            self.store.sightings.add(replace(sighting, alerted=0))
        log.info(
            "rumour sighting clarification=%s score=%s replied=%s alerted=%d",
            c.id, found.score, answer, len(messages),
        )  # fmt: skip
        if not answer:
            return None
        return Heard(self.text.reply(self.default_lang, c), self._file(c, inc.chat), c.id)

    def _rumours_for(self, area: str) -> list[Rumour]:
        """The phrases of active clarifications whose area holds the group's or lies inside it."""
        found: list[Rumour] = []
        for c in self.store.clarifications.all():
            if c.retired_at is not None or not self._overlap(c.area, area):
                continue
            cached = self._rumours.get(c.id)
            if cached is None or cached[0] != c.phrases:
                cached = (c.phrases, [Rumour.of(c.id, p) for p in c.phrases])
                self._rumours[c.id] = cached
            found += cached[1]
        return found

    def _alerts(
        self, c: Clarification, inc: Incoming, area: str, group: str, *, replied: bool
    ) -> list[Message]:
        running = set(self.delivery.platforms)
        out = []
        for person in self.store.people.all():
            if not person.active or any(a.key == inc.sender.key for a in person.accounts):
                continue
            if not any(
                g.role is Role.OFFICER
                and g.area in self.areas
                and self.areas.contains(g.area, area)
                for g in person.roles
            ):
                continue
            account = private_account(person, running)
            if not account:
                continue
            lang = person.language or self.default_lang
            user = UserRef.parse(account)
            text = self.text.alert(
                lang, c, group=group, sender=inc.sender_name, text=inc.text, replied=replied
            )
            out.append(
                Message(
                    chat=ChatRef(user.platform, user.bot, user.id, ChatKind.PRIVATE),
                    text=text, lang=lang, recipient=person.id,
                )
            )  # fmt: skip
        return out

    def _file(self, c: Clarification, chat: ChatRef) -> OutFile | None:
        """The clarification's file: uploaded where files go, else as a signed link."""
        if c.file is None:
            return None
        return file_for_chat(self.files, self.links, self.delivery, c.file, chat, person=0)
