"""/trogiup (/help): the commands this person may use here, one example each."""

from __future__ import annotations

from bot.context import Context, Reply
from bot.router import Router

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
    lines.append(ctx.t("help.footer"))
    return Reply("\n".join(lines))
