"""The watch over group talk: a message that repeats (or asks about) a registered rumour gets
the clarification in its thread and the area's officers are told; one the watch cannot tell
from a denial is told to the officers only; a denial, nothing. Every alert carries the two
teaching steps ("không phải tin đồn", "thêm câu này")."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.messages import Button, ChatKind, ChatRef, Incoming, OutFile, UserRef
from bot.core.models import Clarification, Role, RumourSighting
from bot.delivery.attachments import file_for_chat
from bot.delivery.outbox import Message
from bot.features.broadcast.reach import private_account
from bot.features.clarifications.rumour_match import Match, Rumour, Shape, Verdict, best_match
from bot.features.clarifications.text import excerpt

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.features.clarifications.text import ClarificationText
    from bot.store.base import Store

log = logging.getLogger(__name__)

NOT_RUMOUR, PHRASE = "not_rumour", "phrase"  # RumourSighting.taught; button data rumour:<x>:<n>


@dataclass(frozen=True, slots=True)
class Heard:
    """What the watch answers in the group (None from watch(): stay quiet)."""

    text: str
    file: OutFile | None
    clarification: int


@dataclass(frozen=True, slots=True)
class Registered:
    """A clarification's phrases and exception shapes as matched, kept until it changes."""

    phrases: tuple[str, ...]
    exceptions: tuple[str, ...]
    rumours: tuple[Rumour, ...]
    shapes: tuple[Shape, ...]

    @classmethod
    def of(cls, c: Clarification) -> Registered:
        rumours = tuple(Rumour.of(c.id, p) for p in c.phrases)
        shapes = tuple(Shape.parse(c.id, stored) for stored in c.exceptions)
        return cls(c.phrases, c.exceptions, rumours, shapes)


class RumourWatch:
    def __init__(
        self, *, store: Store, areas: AreaTree, clock: Clock, tz: ZoneInfo, outbox: Outbox,
        delivery: Delivery, files: FileStore, links: FileLinks, text: ClarificationText,
        default_lang: str,
    ) -> None:  # fmt: skip
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
        self._registered: dict[int, Registered] = {}

    def watch(self, inc: Incoming) -> Heard | None:
        """A group message that repeats a registered rumour: store the sighting, tell the area's
        officers, and give the clarification to post under it (once a group, clarification and
        day; later sightings that day are stored and told, not answered again). One the watch is
        unsure of is stored and told, never answered."""
        if inc.chat.kind is not ChatKind.GROUP or inc.sender_is_bot or not inc.text.strip():
            return None
        binding = self.store.groups.get(inc.chat.key)
        if binding is None or not binding.active or binding.area not in self.areas:
            return None
        found = self.match(inc.text, binding.area)
        if found is None or found.verdict not in (Verdict.SURE, Verdict.UNSURE):
            if found is not None:
                log.info("rumour watch: clarification=%s %s", found.key, found.verdict)
            return None
        c = self.store.clarifications.get(found.key)
        if c is None:
            return None
        sure = found.verdict == Verdict.SURE
        now = self.clock.now()
        day = datetime.combine(now.astimezone(self.tz).date(), time(), self.tz)
        today = [
            s for s in self.store.sightings.since(day)
            if s.clarification == c.id and s.chat_key == inc.chat.key
        ]  # fmt: skip
        answer = sure and not any(s.replied for s in today)
        repeat = any(s.sender == inc.sender.key for s in today)
        group = binding.title or self.area_name(binding.area)
        sighting = RumourSighting(
            id=0, clarification=c.id, chat_key=inc.chat.key, area=binding.area,
            sender=inc.sender.key, sender_name=inc.sender_name, text=excerpt(inc.text),
            at=now, message_id=inc.message_id, phrase=found.phrase, replied=answer,
            sure=sure,
        )  # fmt: skip
        try:
            with self.store.atomic():
                stored = self.store.sightings.add(sighting)
                messages = [] if repeat else self._alerts(c, stored, inc, group)
                if messages:
                    self.store.sightings.save(replace(stored, alerted=len(messages)))
                    self.outbox.enqueue(messages, kind="rumour.alert", ref=f"clarification:{c.id}")
        except UserError as exc:  # a Zalo quota that cannot cover the alerts: keep the sighting
            log.warning("clarification=%s alerts not sent: %s", c.id, exc.key)
            self.store.sightings.add(sighting)
        log.info(
            "rumour sighting clarification=%s score=%s sure=%s replied=%s",
            c.id, found.score, sure, answer,
        )  # fmt: skip
        if not answer:
            return None
        return Heard(self.text.reply(self.default_lang, c), self._file(c, inc.chat), c.id)

    def match(self, text: str, area: str) -> Match | None:
        """What the watch makes of `text` in a group of `area` (also for the teaching steps)."""
        rumours: list[Rumour] = []
        shapes: list[Shape] = []
        for c in self.store.clarifications.all():
            if c.retired_at is None and self._overlap(c.area, area):
                registered = self.registered(c)
                rumours += registered.rumours
                shapes += registered.shapes
        return best_match(text, rumours, shapes) if rumours else None

    def registered(self, c: Clarification) -> Registered:
        kept = self._registered.get(c.id)
        if kept is None or (kept.phrases, kept.exceptions) != (c.phrases, c.exceptions):
            kept = self._registered[c.id] = Registered.of(c)
        return kept

    def area_name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code

    def _overlap(self, a: str, b: str) -> bool:
        if a not in self.areas or b not in self.areas:
            return False
        return self.areas.contains(a, b) or self.areas.contains(b, a)

    def _alerts(
        self, c: Clarification, s: RumourSighting, inc: Incoming, group: str
    ) -> list[Message]:
        running = set(self.delivery.platforms)
        out = []
        for person in self.store.people.all():
            if not person.active or any(a.key == inc.sender.key for a in person.accounts):
                continue
            if not any(
                g.role is Role.OFFICER and g.area in self.areas
                and self.areas.contains(g.area, s.area)
                for g in person.roles
            ):  # fmt: skip
                continue
            account = private_account(person, running)
            if not account:
                continue
            lang = person.language or self.default_lang
            user = UserRef.parse(account)
            text = self.text.alert(
                lang, c, group=group, sender=inc.sender_name, text=inc.text, replied=s.replied,
                sure=s.sure,
            )  # fmt: skip
            out.append(
                Message(
                    chat=ChatRef(user.platform, user.bot, user.id, ChatKind.PRIVATE),
                    text=text, lang=lang, recipient=person.id, buttons=self.buttons(lang, s.id),
                )
            )  # fmt: skip
        return out

    def buttons(self, lang: str, sighting: int) -> tuple[tuple[Button, ...], ...]:
        """Under an alert: the two teaching steps, with their typed twins where no buttons."""
        t = self.text.t
        return (
            (
                Button(t(lang, "clarify.button_not_rumour"), f"rumour:{NOT_RUMOUR}:{sighting}",
                       f"/dinhchinh khong {sighting}"),
                Button(t(lang, "clarify.button_phrase"), f"rumour:{PHRASE}:{sighting}",
                       f"/dinhchinh them-cau {sighting}"),
            ),
        )  # fmt: skip

    def _file(self, c: Clarification, chat: ChatRef) -> OutFile | None:
        """The clarification's file: uploaded where files go, else as a signed link."""
        if c.file is None:
            return None
        return file_for_chat(self.files, self.links, self.delivery, c.file, chat, person=0)
