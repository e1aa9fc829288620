"""/trogiup (/help): the commands this person may use here, one example each."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.models import Role
from bot.core.router import Router

router = Router("help")


@router.command("trogiup", "help", where="GP")
async def help_(ctx: Context) -> Reply:
    """List only the commands allowed to this person in this kind of chat."""
    kind = ctx.incoming.chat.kind
    lines = [ctx.t("help.title")]
    for cmd in ctx.data.get("commands", ()):
        if kind not in cmd.where:
            continue
        if cmd.roles is not None and not ctx.actor.has_any(cmd.roles):
            continue
        lines.append(ctx.t(cmd.help_key))
    if ctx.actor.has_any((Role.OFFICER,)):
        # Officers keep the rumour watch, which needs to read ordinary group talk.
        note = await ctx.services.clarifications.hearing_note(ctx.incoming.chat)
        if note:
            lines.append(ctx.t(note))
    lines.append(ctx.t("help.footer"))
    return Reply("\n".join(lines))
