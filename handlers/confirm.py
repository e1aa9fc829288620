"""/xacnhan (/confirm): carry out this person's pending two-step action, whatever its kind."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.router import Router

router = Router("confirm")


@router.command("xacnhan", "confirm", where="P")
async def confirm(ctx: Context) -> Reply:
    """The action previewed last: a directive or a survey (others add their kind)."""
    kind = ctx.services.confirmations.kind_for(ctx.actor)
    if kind == "directive":
        directives = ctx.services.directives.service
        sent = directives.confirm(ctx.actor)
        return ctx.reply("directive.queued", number=sent.id, count=directives.copies(sent))
    if kind == "survey":
        surveys = ctx.services.surveys
        survey = surveys.confirm(ctx.actor)
        return ctx.reply("survey.queued", number=survey.id, count=surveys.copies(survey))
    raise UserError("directive.nothing_pending")
