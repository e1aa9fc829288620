"""/gannhom (/bindgroup): bind this group to an area (officer of that area, and group admin);
`/gannhom bỏ` unbinds it.

It fails closed and changes nothing on failure: every question to the platform (is the sender a
group admin? can the bot read ordinary talk here?) is asked before anything is stored, and one
the platform cannot answer refuses the binding with how to retry. On Zalo the reply says what a
group hears there and how many of its plan's groups the bot is bound to."""

from __future__ import annotations

from bot.core import places
from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.platform import DeliveryError
from bot.core.router import Router
from bot.core.text import fold
from bot.features.groups.service import UNBIND_WORDS

router = Router("groups")


@router.command("gannhom", "bindgroup", where="G", roles=(Role.OFFICER,))
async def bind_group(ctx: Context) -> Reply:
    """Check the sender's area and group rights, then bind the group."""
    groups, areas = ctx.services.groups, ctx.services.areas
    if not ctx.args:
        current = groups.binding(ctx.incoming.chat.key)
        if current is not None:
            return ctx.reply("bind.current", area=areas.get(current.area).name)
        raise UserError("bind.usage")
    if fold(ctx.args) in UNBIND_WORDS:
        unbound = groups.unbind(ctx.actor, ctx.incoming)
        return ctx.reply("bind.unbound", area=areas.get(unbound.area).name)
    area = places.resolve(areas, ctx.args)
    inc = ctx.incoming
    # Role, area, an anonymous admin (who cannot be checked), a group of another area: refused
    # before the platform is asked anything.
    groups.check(ctx.actor, inc, area)
    try:
        group_admin = await ctx.sender_is_group_admin()
        groups.check(ctx.actor, inc, area, group_admin=group_admin)
        # The rumour watch reads ordinary talk: say whether the bot can, and how to let it.
        note = await ctx.services.clarifications.hearing_note(inc.chat, strict=True)
    except DeliveryError:
        raise UserError("bind.check_failed") from None
    binding = groups.bind(ctx.actor, inc, area, group_admin=group_admin)
    # On Zalo, what a group hears (the watch's note among it) and the plan's groups.
    notes = [ctx.t(key, **params) for key, params in groups.notes(inc.chat)]
    if not notes and note:
        notes = [ctx.t(note)]
    return Reply("\n\n".join([ctx.t("bind.done", area=areas.get(binding.area).name), *notes]))
