"""/vaitro (/role): admins set any role; officers make collaborators in their own area."""

from __future__ import annotations

from bot.core import places
from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import UserError
from bot.core.help_catalogue import examples
from bot.core.models import Role
from bot.core.router import Router

router = Router("roles")


def _people_list(ctx: Context) -> Reply:
    lines = [ctx.t("role.usage", **examples(ctx.services.areas, ctx.actor))]
    shown = 0
    areas = ctx.services.areas
    for area in ctx.actor.areas_of((Role.OFFICER,)):
        for person in ctx.services.people.directory.in_area(area):
            roles = ", ".join(
                f"{ctx.t(ROLE_KEYS[g.role])} {areas.get(g.area).name}" for g in person.roles
            )
            lines.append(f"#{person.id} {person.name}: {roles}")
            shown += 1
            if shown >= 40:
                return Reply("\n".join(lines))
    return Reply("\n".join(lines))


@router.command("vaitro", "role", where="P", roles=(Role.OFFICER,))
async def role(ctx: Context) -> Reply:
    """`/vaitro <person> <role> <area>`; role `xoa` removes that person's roles over the area."""
    parts = ctx.args.split(maxsplit=1)
    if len(parts) < 2:
        return _people_list(ctx)
    people = ctx.services.people
    target = people.directory.find(parts[0])
    new_role, area_text = people.directory.parse_role(parts[1])
    if not area_text:
        raise UserError("role.usage", **examples(ctx.services.areas, ctx.actor))
    area = places.resolve(ctx.services.areas, area_text)
    target = people.directory.set_role(ctx.actor, target, new_role, area.code)
    if new_role is None:
        return ctx.reply("role.removed", name=target.name, id=target.id, area=area.name)
    await people.notices.granted(target, role=ctx.t(ROLE_KEYS[new_role]), area=area)
    return ctx.reply(
        "role.granted",
        name=target.name,
        id=target.id,
        role=ctx.t(ROLE_KEYS[new_role]),
        area=area.name,
    )
