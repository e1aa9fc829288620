"""/lienket (/link): link another account (Telegram, Zalo, a new phone) with a one-time code."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.router import Router

router = Router("link")


@router.command("lienket", "link", where="P")
async def link(ctx: Context) -> Reply:
    """Without a code: issue one. With a code: attach this account to the person who issued it."""
    people = ctx.services.people
    if not ctx.args:
        code = people.links.issue(ctx.incoming)
        return ctx.reply("link.code", code=code.code, minutes=people.link_minutes)
    person = people.links.redeem(ctx.incoming, ctx.args)
    return ctx.reply("link.done", name=person.name, count=len(person.accounts))
