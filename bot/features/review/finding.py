"""Which report an officer means, and whether they may review it.

The report meant, first rule that applies (as for `/sua`, bot.features.reports.corrections):
1. a number first (`/tralai 12 …`): report 12;
2. a reply to the bot's echo of a report (where the platform says what a reply quotes:
   Telegram, the sandbox): that report;
3. a reply to the collaborator's report message itself: that report, looked up among the
   reports of the officer's area for the current and the previous period (reviews come after
   a period ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import Incoming
from bot.core.models import Area, Report, Role
from bot.features.reports.numbering import split_number

if TYPE_CHECKING:
    from bot.features.reports.service import Reports

REVIEWERS = (Role.OFFICER,)  # admins pass everywhere (Actor.covers)


def meant(reports: Reports, actor: Actor, inc: Incoming, text: str) -> tuple[Report | None, str]:
    """The report `text` (or the message it replies to) names, and the rest of the text; None
    when it names none. UserError for a number no report has."""
    number, rest = split_number(text)
    if number is None:
        number = replied(reports, actor, inc)
    if number is None:
        return None, text
    report = reports.store.reports.by_number(number)
    if report is None:
        raise UserError("review.unknown", number=number)
    return report, rest


def replied(reports: Reports, actor: Actor, inc: Incoming) -> int | None:
    """The number of the report a reply quotes: an echo of the bot, or the report message."""
    reply = inc.reply_to
    if reply is None:
        return None
    if reply.from_bot:
        return reports.corrections.echoes.number_of(inc.chat.key, reply.message_id)
    source = f"{inc.chat.key}:{reply.message_id}"
    today = reports.today()
    for area in actor.areas_of(REVIEWERS):
        if area not in reports.areas:
            continue
        villages = [v.code for v in reports.areas.villages_under(area)]
        for rt in reports.types:
            current = periods.current_period(rt, today)
            for period in (current.key, current.previous().key):
                for report in reports.store.reports.in_period(rt.code, period, areas=villages):
                    if report.source_message == source:
                        return report.number
    return None


def village_of(reports: Reports, report: Report) -> Area | None:
    """The report's village as the tree has it now (None if it left the config)."""
    return reports.areas.get(report.area) if report.area in reports.areas else None


def village_name(reports: Reports, report: Report) -> str:
    village = village_of(reports, report)
    return village.name if village is not None else (report.area_name or report.area)


def check_reviewer(reports: Reports, actor: Actor, report: Report) -> None:
    """Forbidden unless an officer's area (or an admin's) covers the report's village."""
    if actor.person is None or not actor.covers(reports.areas, report.area, REVIEWERS):
        raise Forbidden(
            "review.not_your_area", number=report.number, village=village_name(reports, report)
        )
