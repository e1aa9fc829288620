"""Report numbers as people use them: the number typed before a correction, and the person's
recent reports, which `/cuatoi` lists with their numbers and the time each was sent.

Every report has a short number (`Report.number`), store-wide, given by the store in the order
reports are first stored, the same on all its versions and never given again. So a number read
in `/cuatoi` stays right however many reports arrive meanwhile, and an officer names a
collaborator's report by the number the collaborator sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.actor import Actor
from bot.core.models import Report
from bot.features.reports.saved import Saved

if TYPE_CHECKING:
    from bot.features.reports.service import Reports

RECENT = timedelta(days=7)  # besides this period's, reports received lately count as recent
_SCANNED = 200  # a person's latest reports looked at
# `12`, `#12` or `số 12` before the fields; a number is never a field's name.
_NUMBER = re.compile(r"\s*(?:#\s*|s[oôố]\s*)?(\d{1,9})(?!\w)[\s,.:;]*", re.IGNORECASE)


def split_number(text: str) -> tuple[int | None, str]:
    """The report number typed first, if any, and the rest of the text."""
    found = _NUMBER.match(text)
    if found is None:
        return None, text
    return int(found.group(1)), text[found.end() :]


@dataclass(frozen=True, slots=True)
class Listed:
    """One report of `/cuatoi`: what the echo shows, and when it was first sent (local time)."""

    saved: Saved
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Mine:
    """What `/cuatoi` shows: the newest reports, how many there are, a correction to copy."""

    items: tuple[Listed, ...]
    total: int
    example: str
    today: date


def recent(reports: Reports, actor: Actor) -> list[Report]:
    """The actor's reports that count, of this period (each type's) or received lately,
    highest number (newest) first. A report someone else corrected since stays the
    collaborator's: their own villages' reports of this period that they sent count too."""
    person = actor.person
    if person is None:
        return []
    store, today, now = reports.store, reports.today(), reports.clock.now()
    found = {x.id: x for x in store.reports.latest_by_reporter(person.id, limit=_SCANNED)}
    villages = [v.code for v in reports.own_villages(actor)]
    for rt in reports.types:
        if not villages:
            break
        period = periods.current_period(rt, today).key
        for report in store.reports.in_period(rt.code, period, areas=villages):
            if report.id in found or report.reporter == person.id:
                continue
            if any(v.reporter == person.id for v in store.reports.versions(report.id)):
                found[report.id] = report
    kept = []
    for report in found.values():
        rt = reports.types.get(report.type)
        if report.retracted or rt is None:
            continue
        if report.period == periods.current_period(rt, today).key or (
            now - report.received_at <= RECENT
        ):
            kept.append(report)
    return sorted(kept, key=lambda x: x.number, reverse=True)
