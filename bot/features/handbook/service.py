"""The handbook (/camnang): notes of an area, seen by everyone in it and below it; officers
write them, and an answered question can become one in one step."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef, Incoming, OutFile
from bot.core.models import HandbookNote, OutboxFile, Role
from bot.core.text import fold
from bot.delivery.attachments import file_for_chat, keep_attachment
from bot.features.audit.log import AuditLog

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.sender import Delivery
    from bot.features.questions.service import Questions
    from bot.store.base import Store

log = logging.getLogger(__name__)

WRITERS = (Role.OFFICER,)
MAX_TOPIC = 60  # characters
MAX_TEXT = 3500  # characters: one Telegram message with its header
_SPLIT = re.compile(r"[:\n]")


@dataclass(frozen=True, slots=True)
class Found:
    """What `/camnang <topic>` found: the notes of one topic (nearest area first), or the topics
    that match when several do."""

    notes: tuple[HandbookNote, ...]
    topics: tuple[str, ...] = ()


def parse_note(words: str, *, usage: str, need_text: bool = True) -> tuple[str, str]:
    """`<topic>: <text>` (or the topic on the first line): the topic and the text, checked."""
    parts = _SPLIT.split(words.strip(), maxsplit=1)
    if len(parts) < 2 and need_text:
        raise UserError(usage)
    topic = " ".join(parts[0].split())
    text = parts[1].strip() if len(parts) > 1 else ""
    if not topic or (need_text and not text):
        raise UserError(usage)
    if len(topic) > MAX_TOPIC:
        raise UserError("handbook.topic_too_long", limit=MAX_TOPIC)
    if len(text) > MAX_TEXT:
        raise UserError("handbook.too_long", length=len(text), limit=MAX_TEXT)
    return topic, text


class Handbook:
    """Who sees which notes, who may write them, and how a note's file reaches each platform."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        files: FileStore,
        links: FileLinks,
        delivery: Delivery,
        questions: Questions,
        translate: Translator,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.files = files
        self.links = links
        self.delivery = delivery
        self.questions = questions
        self.translate = translate
        self.audit = audit

    # --- reading -------------------------------------------------------------------------------

    def reader_areas(self, actor: Actor, chat: ChatRef) -> list[str]:
        """The reader's areas: every role's, and the area of the group they read in; the root
        for someone with neither."""
        codes = [g.area for g in actor.grants if g.area in self.areas]
        if chat.kind is ChatKind.GROUP:
            group = self.store.groups.get(chat.key)
            if group is not None and group.active and group.area in self.areas:
                codes.append(group.area)
        return list(dict.fromkeys(codes)) or [self.areas.root.code]

    def visible(self, actor: Actor, chat: ChatRef) -> list[HandbookNote]:
        """The notes of the reader's areas and of every area above them (and, for someone over
        a wider area, those below it), by topic and then nearest area first."""
        mine = self.reader_areas(actor, chat)
        out = []
        for note in self.store.handbook.all():
            if not note.active or note.area not in self.areas:
                continue
            above = any(self.areas.contains(note.area, code) for code in mine)
            below = any(self.areas.contains(code, note.area) for code in mine)
            if above or below:
                out.append(note)
        return sorted(out, key=lambda n: (fold(n.topic), self._distance(n, mine)))

    def _distance(self, note: HandbookNote, mine: list[str]) -> int:
        """0 for a note of the reader's own area, 1 for the one above it, …; notes below the
        reader's areas come after every note above them."""
        depth = len(self.areas.get(note.area).path)
        over = [len(self.areas.get(c).path) - depth for c in mine
                if self.areas.contains(note.area, c)]  # fmt: skip
        return min(over) if over else 100 + depth

    def find(self, actor: Actor, chat: ChatRef, query: str) -> Found:
        """The notes of the topic named (case and diacritics ignored; a note's number works
        too); when only parts of the words match several topics, those topics."""
        notes = self.visible(actor, chat)
        raw = query.strip().lstrip("#")
        if raw.isdigit():
            return Found(tuple(n for n in notes if n.id == int(raw)))
        wanted = fold(query)
        exact = tuple(n for n in notes if fold(n.topic) == wanted)
        if exact:
            return Found(exact)
        words = wanted.split()
        partial = [
            n for n in notes
            if wanted in fold(n.topic)
            or all(any(t.startswith(w) for t in fold(n.topic).split()) for w in words)
        ]  # fmt: skip
        topics = tuple(dict.fromkeys(fold(n.topic) for n in partial))
        if len(topics) == 1:
            return Found(tuple(partial))
        return Found((), tuple(dict.fromkeys(n.topic for n in partial)))

    def area_name(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code

    def out_file(self, note: HandbookNote, chat: ChatRef, person: int | None) -> OutFile | None:
        """The note's file for this chat: the file itself where the platform takes files, else
        a signed link for the reader; None when neither can be made."""
        if note.file is None:
            return None
        return file_for_chat(
            self.files, self.links, self.delivery, note.file, chat, person=person or 0
        )

    # --- writing -------------------------------------------------------------------------------

    def home(self, actor: Actor) -> str:
        """Where an officer's new notes go: the widest area of their officer (or admin) roles."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        mine = [c for c in actor.areas_of(WRITERS) if c in self.areas]
        if not mine:
            raise Forbidden("handbook.officers_only")
        return min(mine, key=lambda c: len(self.areas.get(c).path))

    def add(self, actor: Actor, words: str, *, file: OutboxFile | None = None) -> HandbookNote:
        """`<topic>: <text>` as a note of the officer's area; refused if it has that topic."""
        area = self.home(actor)
        topic, text = parse_note(words, usage="handbook.usage_add")
        return self._new(actor, area, topic, text, file=file)

    def _new(
        self,
        actor: Actor,
        area: str,
        topic: str,
        text: str,
        *,
        file: OutboxFile | None = None,
        question: int | None = None,
    ) -> HandbookNote:
        clash = self._at(area, topic)
        if clash is not None:
            raise UserError("handbook.exists", topic=clash.topic, area=self.area_name(area))
        person = actor.person
        with self.store.atomic():
            note = self.store.handbook.add(
                HandbookNote(
                    id=0, area=area, topic=topic, text=text, created_at=self.clock.now(),
                    created_by=person.id if person else None, file=file, question=question,
                )
            )  # fmt: skip
            self._audit(actor, "add", note)
        log.info("handbook note=%s area=%s added", note.id, area)
        return note

    def edit(self, actor: Actor, words: str, *, file: OutboxFile | None = None) -> HandbookNote:
        """`<topic>: <new text>` (with a new file, the text may stay as it was)."""
        topic, text = parse_note(words, usage="handbook.usage_edit", need_text=file is None)
        note = self._writable(actor, topic)
        person = actor.person
        note = replace(
            note, text=text or note.text, file=file or note.file, updated_at=self.clock.now(),
            updated_by=person.id if person else None,
        )  # fmt: skip
        with self.store.atomic():
            self.store.handbook.save(note)
            self._audit(actor, "edit", note)
        log.info("handbook note=%s edited", note.id)
        return note

    def retire(self, actor: Actor, topic: str) -> HandbookNote:
        """Take the note of this topic out of the handbook (it stays stored, inactive)."""
        if not topic.strip():
            raise UserError("handbook.usage_delete")
        note = replace(self._writable(actor, topic), active=False, updated_at=self.clock.now())
        with self.store.atomic():
            self.store.handbook.save(note)
            self._audit(actor, "retire", note)
        log.info("handbook note=%s retired", note.id)
        return note

    def from_question(self, actor: Actor, number: int, topic: str, *, lang: str) -> HandbookNote:
        """An answered question (question and answer) as a note of the officer's area."""
        area = self.home(actor)
        q = self.questions.readable(actor, number)
        if q.answered_at is None:
            raise UserError("handbook.question_unanswered", number=number)
        topic = " ".join(topic.split())
        if not topic:
            raise UserError("handbook.from_question_usage")
        if len(topic) > MAX_TOPIC:
            raise UserError("handbook.topic_too_long", limit=MAX_TOPIC)
        text = self.translate(
            lang, "handbook.from_question_text", question=q.text, answer=q.answer
        )
        with self.store.atomic():
            note = self._new(actor, area, topic, text, question=q.id)
            self.store.questions.save(replace(q, note_id=note.id))
        return note

    def _audit(self, actor: Actor, how: str, note: HandbookNote) -> None:
        """A handbook write in the trail (the topic is the officer's own words: not kept)."""
        detail: dict[str, object] = {"how": how, "area": note.area}
        if note.question is not None:
            detail["question"] = note.question
        self.audit.by(actor, "handbook.write", target=f"handbook:{note.id}", detail=detail)

    def _at(self, area: str, topic: str) -> HandbookNote | None:
        wanted = fold(topic)
        return next(
            (n for n in self.store.handbook.all()
             if n.active and n.area == area and fold(n.topic) == wanted),
            None,
        )  # fmt: skip

    def _writable(self, actor: Actor, topic: str) -> HandbookNote:
        """The note of this topic the officer may change: the one of their own area, else the
        widest one inside it."""
        home = self.home(actor)
        wanted = fold(topic)
        same = [n for n in self.store.handbook.all()
                if n.active and n.area in self.areas and fold(n.topic) == wanted]  # fmt: skip
        mine = [n for n in same if actor.covers(self.areas, n.area, WRITERS)]
        if not mine:
            if same:
                raise Forbidden(
                    "handbook.not_your_area", topic=same[0].topic,
                    area=self.area_name(same[0].area),
                )  # fmt: skip
            raise NotFound("handbook.not_found", topic=topic.strip())
        return min(mine, key=lambda n: (n.area != home, len(self.areas.get(n.area).path)))

    # --- files ---------------------------------------------------------------------------------

    async def kept_file(self, inc: Incoming, owner: int | None) -> OutboxFile | None:
        """The document or photo sent with the command, or of the message it replies to, kept
        in the file store (like /chithi does)."""
        return await keep_attachment(inc, delivery=self.delivery, files=self.files, owner=owner)
