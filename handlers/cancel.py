"""/huy (/cancel): leave a step-by-step form or a pending question."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.router import Router

router = Router("cancel")


@router.command("huy", "cancel", where="GP")
async def cancel(ctx: Context) -> Reply:
    """Drop this person's pending prompt in this chat, and a directive waiting for /xacnhan."""
    dropped = ctx.clear_prompt()
    if ctx.is_private and ctx.services.directives.service.cancel(ctx.actor):
        return ctx.reply("directive.cancelled")
    if ctx.is_private and ctx.services.surveys.cancel(ctx.actor):
        return ctx.reply("survey.cancelled")
    if dropped:
        return ctx.reply("cancel.done")
    return ctx.reply("cancel.nothing")
