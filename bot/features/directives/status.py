"""A directive's status: delivered or not, and acknowledged by whom, per unit of its target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from bot.core.models import Directive, OutboxStatus
from bot.features.broadcast.sending import job_items
from bot.features.broadcast.targets import Units
from bot.features.directives.text import StatusView, UnitRow

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.store.base import Store

LOST = (OutboxStatus.UNREACHABLE, OutboxStatus.FAILED, OutboxStatus.HELD)
WAITING = (OutboxStatus.PENDING, OutboxStatus.INFLIGHT)


def build_status(
    store: Store, areas: AreaTree, d: Directive, *, group_ack: Literal["any", "all"]
) -> StatusView:
    acked = store.acks.for_directive(d.id)
    people = {pid: store.people.get(pid) for pid, _ in d.expected}

    def name(pid: int) -> str:
        person = people.get(pid) or store.people.get(pid)
        return person.name if person else f"#{pid}"

    row = Units(areas, d.targets, UnitRow)
    items = job_items(store, d)
    group_area = dict(d.groups)
    private_lost: set[int] = set()
    sent = pending = 0
    for item in items:
        sent += item.status is OutboxStatus.SENT
        pending += item.status in WAITING
        if item.chat_kind == "group":
            r = row(group_area.get(item.chat_key, d.targets[0]))
            r.groups += 1
            r.groups_sent += item.status is OutboxStatus.SENT
            r.groups_lost += item.status in LOST
        elif item.recipient is not None:
            r = row(dict(d.expected).get(item.recipient, d.targets[0]))
            r.private += 1
            r.private_sent += item.status is OutboxStatus.SENT
            if item.status in LOST:
                private_lost.add(item.recipient)
    unreachable = set(d.unreachable) | private_lost
    for pid, area in d.expected:
        r = row(area)
        r.expected += 1
        if pid in acked:
            r.acked += 1
        elif pid in unreachable:
            r.unreachable.append(name(pid))
        else:
            r.missing.append(name(pid))
    groups_acked = 0
    for _, area in d.groups:
        under = [pid for pid, a in d.expected if areas.contains(area, a)]
        done = sum(1 for pid in under if pid in acked)
        if under and (done == len(under) if group_ack == "all" else done > 0):
            groups_acked += 1
    author = store.people.get(d.author)
    return StatusView(
        directive=d,
        author=author.name if author else "",
        messages=len(items),
        sent=sent,
        pending=pending,
        expected=len(d.expected),
        acked=sum(1 for pid, _ in d.expected if pid in acked),
        groups=len(d.groups),
        groups_acked=groups_acked,
        rows=row.ordered(),
    )
