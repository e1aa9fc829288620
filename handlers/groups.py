"""/gannhom (/bindgroup): bind this group to an area (officer of that area, and group admin).

It fails closed and changes nothing on failure: every question to the platform (is the sender a
group admin? can the bot read ordinary talk here?) is asked before anything is stored, and one
the platform cannot answer refuses the binding with how to retry."""

from __future__ import annotations

from bot.core import places
from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.platform import DeliveryError
from bot.core.router import Router

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
    text = ctx.t("bind.done", area=areas.get(binding.area).name)
    return Reply(text + ("\n\n" + ctx.t(note) if note else ""))
