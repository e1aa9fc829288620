"""/lienket (/link): link another account (Telegram, Zalo, a new phone) with a one-time code;
`/lienket huy [n]` (or the button under the owner's notice) undoes a link."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.router import Router
from bot.core.text import fold

router = Router("link")

UNDO_WORDS = frozenset({"huy", "undo", "cancel"})


@router.command("lienket", "link", where="P")
async def link(ctx: Context) -> Reply:
    """Without a code: issue one. With a code: attach this account to the person who asked for
    it. With `huy [n]`: undo a link made with a code this account asked for."""
    people = ctx.services.people
    if not ctx.args:
        issued = people.links.issue(ctx.incoming)
        return ctx.reply("link.code", code=issued.shown, minutes=people.link_minutes)
    word, _, rest = ctx.args.strip().partition(" ")
    if fold(word) in UNDO_WORDS:
        gone = await people.links.undo(ctx.incoming, rest.strip())
        return ctx.reply("link.undone", platform=gone.platform, name=gone.name)
    person = await people.links.redeem(ctx.incoming, ctx.args)
    return ctx.reply("link.done", name=person.name, count=len(person.accounts))


@router.callback("unlink")
async def unlink_button(ctx: Context) -> Reply | None:
    """The undo button under the owner's notice: pressed by the account that asked."""
    number = ctx.incoming.callback_data.partition(":")[2]
    try:
        gone = await ctx.services.people.links.undo(ctx.incoming, number)
    except UserError as exc:
        await ctx.answer_button(ctx.t(exc.key, **exc.params))
        return None
    await ctx.answer_button()
    await ctx.remove_buttons()
    return ctx.reply("link.undone", platform=gone.platform, name=gone.name)
