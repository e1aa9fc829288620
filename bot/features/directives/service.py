"""Directives: prepare a preview, send on /xacnhan through the outbox, and report status."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.actor import Actor
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.messages import ChatKind, ChatRef, UserRef
from bot.core.models import Area, Directive, OutboxFile, Person, Role
from bot.core.places import resolve
from bot.delivery.outbox import Message, requester_chat
from bot.features.audit.log import AuditLog
from bot.features.broadcast.reach import Reach, compute_reach
from bot.features.directives.grammar import parse_directive
from bot.features.directives.status import build_status
from bot.features.directives.text import DirectiveText, Preview, StatusView

if TYPE_CHECKING:
    from bot.config.models import DirectivesSection
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.features.broadcast.confirmations import PendingActions
    from bot.store.base import Store

log = logging.getLogger(__name__)

SENDERS = (Role.OFFICER, Role.ADMIN)
READERS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
PENDING_KIND = "directive"


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
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.tz = tz
        self.outbox = outbox
        self.delivery = delivery
        self.pending = pending
        self.text = text
        self.settings = settings
        self.default_lang = default_lang
        self.audit = AuditLog(store=store, clock=clock)

    # --- preview and confirmation ------------------------------------------------------------

    def prepare(self, actor: Actor, args: str, *, file: OutboxFile | None = None) -> Preview:
        """Read the command, check the sender may reach every target, and keep the draft until
        /xacnhan; nothing is sent yet."""
        person = self._sender(actor)
        now = self.clock.now()
        parsed = parse_directive(args, today=now.astimezone(self.tz).date())
        targets = self._targets(actor, parsed.targets)
        deadline = None
        if parsed.deadline is not None:
            deadline = datetime.combine(parsed.deadline, self.settings.deadline_time, self.tz)
            if deadline <= now:
                raise UserError("directive.past_deadline", date=self.text.when(deadline))
        reach = self.reach(targets, person)
        if not reach.groups and not reach.private:
            raise UserError("directive.nobody", targets=", ".join(a.name for a in targets))
        draft = Directive(
            id=0, author=person.id, targets=tuple(a.code for a in targets), text=parsed.text,
            created_at=now, deadline=deadline, file=file,
        )  # fmt: skip
        costs = self.outbox.cost(self.messages(draft, reach, person))
        groups, private = reach.count_by_platform()
        data = {
            "targets": list(draft.targets),
            "text": draft.text,
            "deadline": deadline.isoformat() if deadline else None,
            "file": None if file is None else [file.file_id, file.name, file.kind, file.mime],
        }
        self.pending.set(
            person.id, PENDING_KIND, data, ttl=timedelta(minutes=self.settings.confirm_minutes)
        )
        return Preview(
            targets=tuple(targets),
            text=parsed.text,
            deadline=deadline,
            file_name=file.name if file else "",
            groups=dict(groups),
            private=dict(private),
            expected=len(reach.expected),
            unreachable=[r.person.name for r in reach.unreachable],
            costs={bot: (cost, self.outbox.quotas.state(bot).left) for bot, cost in costs.items()},
        )

    def confirm(self, actor: Actor) -> Directive:
        """Send the sender's pending directive: numbered, stored and queued in one commit."""
        person = self._sender(actor)
        action, expired = self.pending.get(person.id)
        if action is None or action.kind != PENDING_KIND:
            raise UserError(
                "directive.pending_expired" if expired else "directive.nothing_pending"
            )
        data = action.data
        targets = self._targets(actor, tuple(data["targets"]), codes=True)
        reach = self.reach(targets, person)
        file = OutboxFile(*data["file"]) if data.get("file") else None
        deadline = datetime.fromisoformat(data["deadline"]) if data.get("deadline") else None
        report_to = requester_chat(person, prefer=actor.user.key)
        with self.store.atomic():
            directive = self.store.directives.add(
                author=person.id, targets=tuple(a.code for a in targets), text=data["text"],
                created_at=self.clock.now(), deadline=deadline, file=file,
            )  # fmt: skip
            job = self.outbox.enqueue(
                self.messages(directive, reach, person),
                kind="directive",
                requested_by=person,
                report_to=report_to,
                ref=f"directive:{directive.id}",
            )
            directive = replace(
                directive,
                job_id=job.id,
                groups=tuple((g.chat_key, g.area) for g in reach.groups),
                expected=tuple((r.person.id, r.area) for r in reach.expected),
                unreachable=tuple(r.person.id for r in reach.unreachable),
            )
            self.store.directives.save(directive)
            self.pending.clear(person.id)
            self.audit.by(
                actor,
                "directive.send",
                target=f"directive:{directive.id}",
                detail={"areas": list(directive.targets), "messages": job.total},
            )
        log.info(
            "directive=%s job=%s groups=%d private=%d unreachable=%d",
            directive.id, job.id, len(reach.groups), len(reach.private), len(reach.unreachable),
        )  # fmt: skip
        return directive

    def cancel(self, actor: Actor) -> bool:
        """Drop the sender's pending directive (from /huy); whether there was one."""
        return self.pending.drop(actor, PENDING_KIND)

    # --- who and where -------------------------------------------------------------------------

    def reach(self, targets: list[Area], author: Person | None) -> Reach:
        return compute_reach(
            areas=self.areas,
            targets=[a.code for a in targets],
            people=self.store.people.all(),
            groups=self.store.groups.all(),
            running=set(self.delivery.platforms),
            author=author.id if author else None,
        )

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
            platform, bot, chat_id = group.chat_key.split(":", 2)
            out.append(
                Message(
                    chat=ChatRef(platform, bot, chat_id, ChatKind.GROUP),
                    text=self.text.message(lang, d, author_name),
                    buttons=((button,),), file=d.file, lang=lang, pin=self.settings.pin,
                )
            )  # fmt: skip
        for recipient, account in reach.private:
            lang = recipient.person.language or self.default_lang
            user = UserRef.parse(account)
            out.append(
                Message(
                    chat=ChatRef(user.platform, user.bot, user.id, ChatKind.PRIVATE),
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

    def _sender(self, actor: Actor) -> Person:
        if actor.person is None:
            # A config admin who never wrote to the bot has no record to sign a directive with.
            raise Forbidden("directive.no_person")
        return actor.person

    def _targets(self, actor: Actor, words: tuple[str, ...], *, codes: bool = False) -> list[Area]:
        """The areas named (or all of the sender's), each one inside the sender's own area."""
        if not words:
            mine = actor.areas_of(SENDERS)
            # The widest first; an area inside another of the sender's areas adds nothing.
            found = [self.areas.get(c) for c in mine if c in self.areas]
            return [
                a for a in found
                if not any(o.code != a.code and self.areas.contains(o.code, a.code) for o in found)
            ]  # fmt: skip
        targets: list[Area] = []
        for word in words:
            area = self.areas.get(word) if codes else resolve(self.areas, word)
            if not actor.covers(self.areas, area.code, SENDERS):
                raise Forbidden("directive.not_your_area", area=area.name)
            if area not in targets:
                targets.append(area)
        return targets

    # --- reading -------------------------------------------------------------------------------

    def get(self, number: int) -> Directive:
        directive = self.store.directives.get(number)
        if directive is None:
            raise NotFound("directive.not_found", number=number)
        return directive

    def readable(self, actor: Actor, number: int) -> Directive:
        """The directive, if the actor wrote it or reads for an area it went to."""
        directive = self.get(number)
        if actor.reads(self.areas, author=directive.author, targets=directive.targets,
                       roles=READERS):  # fmt: skip
            return directive
        raise Forbidden("directive.not_yours", number=number)

    def status(self, actor: Actor, number: int) -> StatusView:
        """Directive `number` per unit: delivered, acknowledged by whom, who is unreachable."""
        d = self.readable(actor, number)
        return build_status(self.store, self.areas, d, group_ack=self.settings.group_ack)

    def copies(self, d: Directive) -> int:
        """How many messages the directive was queued as."""
        job = self.store.outbox.get_job(d.job_id) if d.job_id is not None else None
        return job.total if job else 0

    def acked(self, d: Directive) -> int:
        return sum(1 for pid in self.store.acks.for_directive(d.id) if pid in dict(d.expected))

    def recent(self, actor: Actor, *, limit: int = 10) -> list[Directive]:
        """The newest directives the actor may read, newest first."""
        found = []
        for directive in reversed(self.store.directives.all()):
            if actor.reads(self.areas, author=directive.author, targets=directive.targets,
                           roles=READERS):  # fmt: skip
                found.append(directive)
            if len(found) >= limit:
                break
        return found
