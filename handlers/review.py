"""/tralai (/return), /chapnhan (/accept), /daduyet (/checked) and the «Trả lại» button: an
officer sends a report back to its collaborator with a reason, takes it as it was, or marks a
village's period as checked."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.router import Router
from bot.features.review.replies import (
    accepted_reply,
    ask_reason,
    checked_reply,
    returned_reply,
    waiting_reply,
)
from bot.features.review.words import is_acceptance

router = Router("review")

REVIEWERS = (Role.OFFICER,)


@router.command("tralai", "return", where="GP", roles=REVIEWERS)
async def give_back(ctx: Context) -> Reply:
    """`/tralai 12 <reason>`, or as a reply to a report; `/tralai 12 ok` accepts it as it was;
    no reason: asked for; alone: the returned reports still waiting."""
    review = ctx.services.review
    report, rest = review.meant(ctx.actor, ctx.incoming, ctx.args)
    if report is None:
        if rest.strip():
            raise UserError("review.usage")
        return waiting_reply(ctx, review.waiting(ctx.actor))
    if is_acceptance(rest):
        return accepted_reply(ctx, review.accept(ctx.actor, report))
    if not rest.strip():
        review.reviewable(ctx.actor, report)
        return ask_reason(ctx, report)
    return returned_reply(ctx, review.give_back(ctx.actor, report, rest))


@router.prompt("review.reason")
async def reason_given(ctx: Context) -> Reply:
    """The reason typed after «Lý do trả lại báo cáo số 12?» (or `ok`: accept it)."""
    number = int(ctx.data["prompt"].data["number"])
    ctx.clear_prompt()
    review = ctx.services.review
    report = review.numbered(number)
    if is_acceptance(ctx.args):
        return accepted_reply(ctx, review.accept(ctx.actor, report))
    return returned_reply(ctx, review.give_back(ctx.actor, report, ctx.args))


@router.callback("tralai")
async def return_button(ctx: Context) -> Reply | None:
    """«Trả lại» under a report's echo (Telegram groups) or an officer's notice: asks for the
    reason; anyone else gets a short refusal on their screen only."""
    number = ctx.incoming.callback_data.partition(":")[2]
    if not number.isdigit():
        await ctx.answer_button()
        return None
    review = ctx.services.review
    try:
        if ctx.actor.anonymous or not ctx.actor.has_any(REVIEWERS):
            raise UserError("review.button_not_officer")
        report = review.numbered(int(number))
        review.reviewable(ctx.actor, report)
    except UserError as exc:
        await ctx.answer_button(ctx.t(exc.key, **exc.params))
        return None
    await ctx.answer_button()
    return ask_reason(ctx, report)


@router.command("chapnhan", "accept", where="GP", roles=REVIEWERS)
async def accept(ctx: Context) -> Reply:
    """`/chapnhan 12` (or as a reply to the report): keep a returned report as it was."""
    review = ctx.services.review
    report, _ = review.meant(ctx.actor, ctx.incoming, ctx.args)
    if report is None:
        raise UserError("review.accept_usage")
    return accepted_reply(ctx, review.accept(ctx.actor, report))


@router.command("daduyet", "checked", where="GP", roles=REVIEWERS)
async def checked(ctx: Context) -> Reply:
    """`/daduyet <village> [period]`, `/daduyet 12` or as a reply to a report: the period is
    checked; a later change to its reports is flagged to me."""
    done = ctx.services.review.checks.mark(ctx.actor, ctx.incoming, ctx.args)
    return checked_reply(ctx, done)
