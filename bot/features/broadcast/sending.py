"""One kind of send to areas (a directive, a survey), the part every kind shares: who may send
and where, who it reaches, the draft kept until /xacnhan, the job that carries its copies, and
who may follow it afterwards. Each kind's own words are keyed `<kind>.<what>`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.models import Area, Person, Role
from bot.delivery.outbox import requester_chat
from bot.features.broadcast.reach import Reach, ReachPreview, compute_reach

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.areas import AreaTree
    from bot.core.models import OutboxItem, OutboxJob
    from bot.delivery.outbox import Message, Outbox
    from bot.delivery.sender import Delivery
    from bot.features.audit.log import AuditLog
    from bot.features.broadcast.confirmations import PendingActions
    from bot.store.base import Store

SENDERS = (Role.OFFICER, Role.ADMIN)
READERS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# The words each kind raises as `<kind>.<what>` (tests check the catalog has them all).
KEYS = ("nobody", "not_your_area", "pending_expired", "nothing_pending", "not_found", "not_yours")


class Sent(Protocol):
    """What every kind of send stores: its number, author, targets and outbox job."""

    @property
    def id(self) -> int: ...
    @property
    def author(self) -> int: ...
    @property
    def targets(self) -> tuple[str, ...]: ...
    @property
    def job_id(self) -> int | None: ...


S = TypeVar("S", bound=Sent)


def job_items(store: Store, item: Sent) -> list[OutboxItem]:
    """The outbox items that carried the copies of `item` (none before it was queued)."""
    return store.outbox.for_job(item.job_id) if item.job_id is not None else []


class Broadcast:
    """The rules every send to an area follows, for one `kind` ("directive", "survey")."""

    def __init__(
        self,
        kind: str,
        *,
        store: Store,
        areas: AreaTree,
        outbox: Outbox,
        delivery: Delivery,
        pending: PendingActions,
        audit: AuditLog,
    ) -> None:
        self.kind = kind
        self.store = store
        self.areas = areas
        self.outbox = outbox
        self.delivery = delivery
        self.pending = pending
        self.audit = audit

    # --- who and where -------------------------------------------------------------------------

    def sender(self, actor: Actor) -> Person:
        if actor.person is None:
            # A config admin who never wrote to the bot has no record to sign a send with.
            raise Forbidden("directive.no_person")
        return actor.person

    def targets(
        self, actor: Actor, words: tuple[str, ...], *, find: Callable[[str], Area]
    ) -> list[Area]:
        """The areas `words` name (each found by `find`), each inside the sender's own area;
        without words, the sender's own areas."""
        if not words:
            mine = [self.areas.get(c) for c in actor.areas_of(SENDERS) if c in self.areas]
            # The widest first; an area inside another of the sender's areas adds nothing.
            return [
                a for a in mine
                if not any(o.code != a.code and self.areas.contains(o.code, a.code) for o in mine)
            ]  # fmt: skip
        targets: list[Area] = []
        for word in words:
            area = find(word)
            self.check_scope(actor, [area])
            if area not in targets:
                targets.append(area)
        return targets

    def check_scope(self, actor: Actor, targets: Iterable[Area]) -> None:
        """Refuse a target outside the sender's own area."""
        for area in targets:
            if not actor.covers(self.areas, area.code, SENDERS):
                raise Forbidden(f"{self.kind}.not_your_area", area=area.name)

    def reach(self, targets: Sequence[Area], author: Person | None) -> Reach:
        return compute_reach(
            areas=self.areas, targets=[a.code for a in targets], people=self.store.people.all(),
            groups=self.store.groups.all(), running=set(self.delivery.platforms),
            author=author.id if author else None,
        )  # fmt: skip

    def reach_someone(self, targets: Sequence[Area], author: Person) -> Reach:
        """The reach of a draft, refused when it reaches no chat at all."""
        reach = self.reach(targets, author)
        if not reach.groups and not reach.private:
            raise UserError(f"{self.kind}.nobody", targets=", ".join(a.name for a in targets))
        return reach

    # --- the draft until /xacnhan --------------------------------------------------------------

    def preview(self, reach: Reach, messages: Sequence[Message]) -> ReachPreview:
        """Where the copies would go, and what they would cost each Zalo bot's quota."""
        costs = self.outbox.cost(messages)
        groups, private = reach.count_by_platform()
        return ReachPreview(
            groups=dict(groups), private=dict(private), expected=len(reach.expected),
            unreachable=[r.person.name for r in reach.unreachable],
            costs={bot: (cost, self.outbox.quotas.state(bot).left) for bot, cost in costs.items()},
        )  # fmt: skip

    def keep(self, person: Person, data: dict[str, Any], *, minutes: int) -> None:
        """Keep the draft for /xacnhan, replacing whatever the sender had pending."""
        self.pending.set(person.id, self.kind, data, ttl=timedelta(minutes=minutes))

    def take(self, actor: Actor) -> tuple[Person, dict[str, Any]]:
        """The sender and their draft of this kind; UserError when it expired or there is none."""
        person = self.sender(actor)
        action, expired = self.pending.get(person.id)
        if action is None or action.kind != self.kind:
            raise UserError(
                f"{self.kind}.pending_expired" if expired else f"{self.kind}.nothing_pending"
            )
        return person, action.data

    def cancel(self, actor: Actor) -> bool:
        """Drop the sender's draft of this kind (from /huy); whether there was one."""
        return self.pending.drop(actor, self.kind)

    # --- sending -------------------------------------------------------------------------------

    def queue(
        self, actor: Actor, person: Person, item: S, reach: Reach, messages: Sequence[Message]
    ) -> tuple[S, OutboxJob]:
        """Queue the copies of the numbered `item` (in the caller's atomic() block), and `item`
        with its job and the groups and people it went to."""
        job = self.outbox.enqueue(
            messages, kind=self.kind, requested_by=person,
            report_to=requester_chat(person, prefer=actor.user.key),
            ref=f"{self.kind}:{item.id}",
        )  # fmt: skip
        item = replace(
            item,
            job_id=job.id,
            groups=tuple((g.chat_key, g.area) for g in reach.groups),
            expected=tuple((r.person.id, r.area) for r in reach.expected),
        )
        return item, job

    def done(self, actor: Actor, person: Person, item: Sent, job: OutboxJob) -> None:
        """The draft is sent: drop it, and say so in the audit trail."""
        self.pending.clear(person.id)
        self.audit.by(
            actor,
            f"{self.kind}.send",
            target=f"{self.kind}:{item.id}",
            detail={"areas": list(item.targets), "messages": job.total},
        )

    def copies(self, item: Sent) -> int:
        """How many messages `item` was queued as."""
        job = self.store.outbox.get_job(item.job_id) if item.job_id is not None else None
        return job.total if job else 0

    # --- reading -------------------------------------------------------------------------------

    def found(self, item: S | None, number: int) -> S:
        if item is None:
            raise NotFound(f"{self.kind}.not_found", number=number)
        return item

    def readable(self, actor: Actor, item: S) -> S:
        """`item`, if the actor wrote it or reads for an area it went to."""
        if self.may_read(actor, item):
            return item
        raise Forbidden(f"{self.kind}.not_yours", number=item.id)

    def may_read(self, actor: Actor, item: Sent) -> bool:
        return actor.reads(self.areas, author=item.author, targets=item.targets, roles=READERS)

    def newest(self, actor: Actor, items: Sequence[S], *, limit: int) -> list[S]:
        """The newest of `items` the actor may read, newest first."""
        found = []
        for item in reversed(items):
            if self.may_read(actor, item):
                found.append(item)
            if len(found) >= limit:
                break
        return found
