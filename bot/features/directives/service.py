"""Directives: prepare a preview, send on /xacnhan through the outbox, and report status."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.messages import ChatKind
from bot.core.models import Area, Directive, OutboxFile, Person
from bot.core.places import resolve
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import Reach
from bot.features.broadcast.sending import SENDERS, Broadcast
from bot.features.directives.grammar import parse_directive
from bot.features.directives.status import build_status
from bot.features.directives.text import DirectiveText, Preview, StatusView

if TYPE_CHECKING:
    from bot.config.models import DirectivesSection
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.features.audit.log import AuditLog
    from bot.features.broadcast.confirmations import PendingActions
    from bot.store.base import Store

log = logging.getLogger(__name__)


class Directives:
    """The rules of sending: who may send where, who it reaches, and what it costs."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        clock: Clock,
        tz: ZoneInfo,
        outbox: Outbox,
        delivery: Delivery,
        pending: PendingActions,
        text: DirectiveText,
        settings: DirectivesSection,
        default_lang: str,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.tz = tz
        self.pending = pending
        self.text = text
        self.settings = settings
        self.default_lang = default_lang
        self.sends = Broadcast(
            "directive", store=store, areas=areas, outbox=outbox, delivery=delivery,
            pending=pending, audit=audit,
        )  # fmt: skip

    # --- preview and confirmation ------------------------------------------------------------

    def prepare(self, actor: Actor, args: str, *, file: OutboxFile | None = None) -> Preview:
        """Read the command, check the sender may reach every target, and keep the draft until
        /xacnhan; nothing is sent yet."""
        person = self.sends.sender(actor)
        now = self.clock.now()
        parsed = parse_directive(args, today=now.astimezone(self.tz).date())
        targets = self.sends.targets(actor, parsed.targets, find=self._resolve)
        deadline = None
        if parsed.deadline is not None:
            deadline = datetime.combine(parsed.deadline, self.settings.deadline_time, self.tz)
            if deadline <= now:
                raise UserError("directive.past_deadline", date=self.text.when(deadline))
        reach = self.sends.reach_someone(targets, person)
        draft = Directive(
            id=0, author=person.id, targets=tuple(a.code for a in targets), text=parsed.text,
            created_at=now, deadline=deadline, file=file,
        )  # fmt: skip
        shown = self.sends.preview(reach, self.messages(draft, reach, person))
        data = {
            "targets": list(draft.targets),
            "text": draft.text,
            "deadline": deadline.isoformat() if deadline else None,
            "file": None if file is None else [file.file_id, file.name, file.kind, file.mime],
        }
        self.sends.keep(person, data, minutes=self.settings.confirm_minutes)
        return Preview(
            targets=tuple(targets),
            text=parsed.text,
            deadline=deadline,
            file_name=file.name if file else "",
            reach=shown,
        )

    def confirm(self, actor: Actor) -> Directive:
        """Send the sender's pending directive: numbered, stored and queued in one commit."""
        person, data = self.sends.take(actor)
        targets = self.sends.targets(actor, tuple(data["targets"]), find=self.areas.get)
        reach = self.sends.reach(targets, person)
        file = OutboxFile(*data["file"]) if data.get("file") else None
        deadline = datetime.fromisoformat(data["deadline"]) if data.get("deadline") else None
        with self.store.atomic():
            directive = self.store.directives.add(
                author=person.id, targets=tuple(a.code for a in targets), text=data["text"],
                created_at=self.clock.now(), deadline=deadline, file=file,
            )  # fmt: skip
            directive, job = self.sends.queue(
                actor, person, directive, reach, self.messages(directive, reach, person)
            )
            directive = replace(
                directive, unreachable=tuple(r.person.id for r in reach.unreachable)
            )
            self.store.directives.save(directive)
            self.sends.done(actor, person, directive, job)
        log.info(
            "directive=%s job=%s groups=%d private=%d unreachable=%d",
            directive.id, job.id, len(reach.groups), len(reach.private), len(reach.unreachable),
        )  # fmt: skip
        return directive

    def cancel(self, actor: Actor) -> bool:
        """Drop the sender's pending directive (from /huy); whether there was one."""
        return self.sends.cancel(actor)

    # --- who and where -------------------------------------------------------------------------

    def _resolve(self, word: str) -> Area:
        return resolve(self.areas, word)

    def messages(self, d: Directive, reach: Reach, author: Person) -> list[Message]:
        """One message per group (with a counting button, pinned) and per private chat."""
        author_name = self._author_name(author)
        out = []
        acked = self.store.acks.for_directive(d.id) if d.id else {}
        for group in reach.groups:
            lang = self.default_lang
            expected = [r for r in reach.expected if self.areas.contains(group.area, r.area)]
            done = sum(1 for r in expected if r.person.id in acked)
            button = self.text.ack_button(lang, d.id, done, len(expected))
            out.append(
                Message(
                    chat=chat_from_key(group.chat_key, ChatKind.GROUP),
                    text=self.text.message(lang, d, author_name),
                    buttons=((button,),), file=d.file, lang=lang, pin=self.settings.pin,
                )
            )  # fmt: skip
        for recipient, account in reach.private:
            lang = recipient.person.language or self.default_lang
            out.append(
                Message(
                    chat=private_chat(account),
                    text=self.text.message(lang, d, author_name),
                    buttons=((self.text.ack_button(lang, d.id),),), file=d.file, lang=lang,
                    recipient=recipient.person.id,
                )
            )  # fmt: skip
        return out

    def _author_name(self, author: Person) -> str:
        grant = next((g for g in author.roles if g.role in SENDERS), None)
        if grant is None or grant.area not in self.areas:
            return author.name
        return f"{author.name} ({self.areas.get(grant.area).name})"

    # --- reading -------------------------------------------------------------------------------

    def get(self, number: int) -> Directive:
        return self.sends.found(self.store.directives.get(number), number)

    def readable(self, actor: Actor, number: int) -> Directive:
        """The directive, if the actor wrote it or reads for an area it went to."""
        return self.sends.readable(actor, self.get(number))

    def status(self, actor: Actor, number: int) -> StatusView:
        """Directive `number` per unit: delivered, acknowledged by whom, who is unreachable."""
        d = self.readable(actor, number)
        return build_status(self.store, self.areas, d, group_ack=self.settings.group_ack)

    def copies(self, d: Directive) -> int:
        """How many messages the directive was queued as."""
        return self.sends.copies(d)

    def acked(self, d: Directive) -> int:
        return sum(1 for pid in self.store.acks.for_directive(d.id) if pid in dict(d.expected))

    def recent(self, actor: Actor, *, limit: int = 10) -> list[Directive]:
        """The newest directives the actor may read, newest first."""
        return self.sends.newest(actor, self.store.directives.all(), limit=limit)
