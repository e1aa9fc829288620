"""What the review answers the person who typed: the officer returning, accepting or checking,
the question for a reason, the lists of what waits; and the lines it adds to `/thieu`,
`/cuatoi` and a correction's echo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.context import Context, Reply
from bot.core.models import Report
from bot.core.periods import describe
from bot.core.review_records import ReportReturn
from bot.features.review.finding import village_name
from bot.features.review.text import listed

if TYPE_CHECKING:
    from bot.features.review.checks import Checked
    from bot.features.review.service import Returned

MAX_LISTED = 30  # returned reports listed in one message; the oldest first


def _about(ctx: Context, done: Returned) -> dict[str, object]:
    return {
        "number": done.report.number, "type": done.type.name(ctx.lang), "village": done.village,
        "period": describe(done.report.period, ctx.lang),
    }  # fmt: skip


def returned_reply(ctx: Context, done: Returned) -> Reply:
    """The officer's confirmation: to whom, where, why; and how to accept it as it was."""
    reached, about = done.reached, _about(ctx, done)
    if reached.chat is None:
        return ctx.reply("review.returned_untold", name=reached.name, **about)
    where = (
        ctx.t("review.where_group", group=reached.group)
        if reached.group
        else ctx.t("review.where_private")
    )
    return ctx.reply("review.returned", name=reached.name, where=where,
                     reason=done.mark.reason, **about)  # fmt: skip


def accepted_reply(ctx: Context, done: Returned) -> Reply:
    about = _about(ctx, done)
    if done.reached.chat is None:
        return ctx.reply("review.accepted_untold", name=done.reached.name, **about)
    return ctx.reply("review.accepted", name=done.reached.name, **about)


def ask_reason(ctx: Context, report: Report) -> Reply:
    """Ask the officer for the reason (after the button, or `/tralai 12` alone)."""
    review = ctx.services.review
    rt = ctx.services.reports.types.get(report.type)
    text = ctx.t(
        "review.ask_reason", number=report.number, village=village_name(review.reports, report),
        type=rt.name(ctx.lang) if rt else report.type, period=describe(report.period, ctx.lang),
    )  # fmt: skip
    return ctx.ask("review.reason", text, data={"number": report.number})


def waiting_reply(ctx: Context, found: Sequence[tuple[ReportReturn, Report]]) -> Reply:
    """`/tralai` alone: what the officer's area returned and still waits for, and the usage."""
    if not found:
        return Reply(ctx.t("review.waiting_none") + "\n" + ctx.t("review.usage"))
    lines = [ctx.t("review.waiting_header", count=len(found))]
    lines += [_waiting_line(ctx, mark, report) for mark, report in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        lines.append(ctx.t("review.more", count=len(found) - MAX_LISTED))
    lines.append(ctx.t("review.usage"))
    return Reply("\n".join(lines))


def _waiting_line(ctx: Context, mark: ReportReturn, report: Report) -> str:
    review = ctx.services.review
    rt = ctx.services.reports.types.get(report.type)
    return ctx.t(
        "review.waiting_line", number=mark.number, village=village_name(review.reports, report),
        type=rt.name(ctx.lang) if rt else report.type, period=describe(mark.period, ctx.lang),
        reason=mark.reason, officer=review.person_name(mark.officer),
        date=review.text.when(mark.returned_at),
    )  # fmt: skip


def checked_reply(ctx: Context, done: Checked) -> Reply:
    key = "review.rechecked" if done.again else "review.checked"
    lines = [ctx.t(key, village=done.village.name, period=describe(done.check.period, ctx.lang),
                   count=done.check.reports)]  # fmt: skip
    if done.waiting:
        lines.append(ctx.t("review.checked_waiting", count=len(done.waiting),
                           numbers=listed(done.waiting)))  # fmt: skip
    return Reply("\n".join(lines))


# --- lines other commands add ----------------------------------------------------------------


def missing_lines(ctx: Context, area: str, type_code: str, period: str) -> list[str]:
    """For `/thieu`: the period's reports returned and waiting for a correction, apart from
    the villages that sent nothing."""
    review = ctx.services.review
    marks = review.waiting_in(area, type_code, period)
    if not marks:
        return []
    lines = [ctx.t("review.missing_header", count=len(marks))]
    for mark in marks[:MAX_LISTED]:
        village = ctx.services.areas.get(mark.area).name if mark.area in ctx.services.areas else ""
        lines.append(ctx.t(
            "review.missing_line", village=village or mark.area, number=mark.number,
            reason=mark.reason, officer=review.person_name(mark.officer),
            date=review.text.when(mark.returned_at),
        ))  # fmt: skip
    if len(marks) > MAX_LISTED:
        lines.append(ctx.t("review.more", count=len(marks) - MAX_LISTED))
    return lines


def mine_lines(ctx: Context) -> list[str]:
    """For `/cuatoi`: the collaborator's reports sent back to them, with the line to send."""
    person = ctx.actor.person
    if person is None:
        return []
    review = ctx.services.review
    lines = []
    for mark in review.for_reporter(person.id)[:MAX_LISTED]:
        report = ctx.services.reports.store.reports.get(mark.report_id)
        if report is None or ctx.services.reports.types.get(report.type) is None:
            continue
        lines.append(ctx.t("review.mine_line", number=mark.number, reason=mark.reason,
                           officer=review.person_name(mark.officer),
                           fix=review.fix(report, mark.reason)))  # fmt: skip
    return lines


def correction_note(ctx: Context, report: Report) -> str:
    """For a correction's echo: the officer who returned it was just told (empty otherwise)."""
    mark = ctx.services.review.store.report_returns.get(report.number)
    if mark is None or mark.closed_version != report.version or mark.open:
        return ""
    person = ctx.actor.person
    if person is not None and mark.officer == person.id:
        return ""
    return ctx.t("review.officer_told", officer=ctx.services.review.person_name(mark.officer))
