"""Directives and who acknowledged them, counted only among the people of the areas asked
about (and readable by the client)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from bot.core.models import Acknowledgement
from bot.core.models import Directive as StoredDirective
from bot.web.api.auth import Caller
from bot.web.api.errors import ApiError
from bot.web.api.models import Acknowledger, AckRow, Directive
from bot.web.api.reading import ApiData


def _inside(data: ApiData, tops: Sequence[str], code: str) -> bool:
    return any(data.areas.contains(top, code) for top in tops)


def concerns(data: ApiData, d: StoredDirective, tops: Sequence[str]) -> bool:
    """Whether the directive went to (or above, or below) one of the areas `tops`."""
    return any(
        t in data.areas
        and any(data.areas.contains(top, t) or data.areas.contains(t, top) for top in tops)
        for t in d.targets
    ) or any(_inside(data, tops, area) for _, area in d.expected)


def directive_list(
    data: ApiData, tops: Sequence[str], since: date | None
) -> list[StoredDirective]:
    start = datetime.combine(since, time(), data.reports.tz) if since else None
    return [
        d
        for d in data.store.directives.all()
        if concerns(data, d, tops) and (start is None or d.created_at >= start)
    ]


def directive(data: ApiData, directive_id: int, tops: Sequence[str]) -> StoredDirective:
    """The directive with this id, if it concerns the areas asked about; else 404."""
    found = data.store.directives.get(directive_id)
    if found is None or not concerns(data, found, tops):
        raise ApiError(404, "not_found", f"no directive {directive_id} concerns these areas")
    return found


def shaped(data: ApiData, caller: Caller, d: StoredDirective, tops: Sequence[str]) -> Directive:
    acks = data.store.acks.for_directive(d.id)
    inside = [pid for pid, area in d.expected if _inside(data, tops, area)]
    return Directive(
        id=d.id,
        created_at=d.created_at.astimezone(data.reports.tz),
        deadline=d.deadline.astimezone(data.reports.tz) if d.deadline else None,
        targets=list(d.targets),
        text=d.text if caller.text else None,
        expected=len(inside),
        acknowledged=sum(1 for pid in inside if pid in acks),
    )


def ack_rows(
    data: ApiData, caller: Caller, d: StoredDirective, tops: Sequence[str]
) -> list[tuple[tuple[int, str], AckRow]]:
    """One row per area people were expected for, with its paging key (tree order, code)."""
    acks = data.store.acks.for_directive(d.id)
    by_area: dict[str, list[int]] = {}
    for pid, area in d.expected:
        if _inside(data, tops, area):
            by_area.setdefault(area, []).append(pid)
    rows = []
    for area, people in by_area.items():
        listed = [_acknowledger(data, caller, pid, acks.get(pid)) for pid in people]
        row = AckRow(
            area=data.place(area),
            expected=len(people),
            acknowledged=sum(1 for p in listed if p.acknowledged_at is not None),
            people=listed,
        )
        rows.append(((data.order(area), area), row))
    return rows


def _acknowledger(
    data: ApiData, caller: Caller, person_id: int, ack: Acknowledgement | None
) -> Acknowledger:
    ref = data.person(caller, person_id)
    return Acknowledger(
        id=ref.id,
        name=ref.name,
        acknowledged_at=ack.at.astimezone(data.reports.tz) if ack else None,
        via=ack.via if ack else None,
    )
