"""/dangky (/register) to join a village, and /duyet (/approve) for officers to decide."""

from __future__ import annotations

from bot.core import places
from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Area, Role
from bot.core.router import Router
from bot.core.text import fold

router = Router("register")

_REFUSE_WORDS = {"khong", "tu choi", "tuchoi", "no", "reject", "huy"}


async def _file(ctx: Context, village: Area) -> Reply:
    reg, created = await ctx.services.people.registrations.request(ctx.incoming, village)
    key = "register.filed" if created else "register.already_pending"
    return Reply(ctx.t(key, area=village.name, n=reg.id), private=ctx.is_group)


@router.command("dangky", "register", where="GP")
async def register(ctx: Context) -> Reply:
    """Ask to become the collaborator of a village named by code or name."""
    if not ctx.args:
        raise UserError("register.usage")
    areas = ctx.services.areas
    found = places.candidates(areas, ctx.args, kinds=("village",))
    try:
        village = places.resolve(areas, ctx.args, kinds=("village",))
    except UserError as exc:
        if exc.key != "area.ambiguous":
            raise UserError("register.no_village", text=ctx.args) from exc
        options = found[: places.MAX_OPTIONS]
        lines = [ctx.t("register.pick")] + [
            f"{i}. {a.name} – {areas.get(a.parent).name}" for i, a in enumerate(options, 1)
        ]
        return ctx.ask(
            "register.pick", "\n".join(lines), data={"codes": [a.code for a in options]}
        )
    return await _file(ctx, village)


@router.prompt("register.pick")
async def register_pick(ctx: Context) -> Reply:
    """A number answering which of the listed villages was meant."""
    codes = ctx.data["prompt"].data.get("codes", [])
    text = ctx.args.strip().lstrip("#")
    if not text.isdigit() or not 1 <= int(text) <= len(codes):
        raise UserError("prompt.pick_range", max=len(codes))
    ctx.clear_prompt()
    return await _file(ctx, ctx.services.areas.get(codes[int(text) - 1]))


def _pending_list(ctx: Context) -> Reply:
    items = ctx.services.people.registrations.pending_for(ctx.actor)
    if not items:
        return ctx.reply("approve.none")
    lines = [ctx.t("approve.list_header", count=len(items))]
    for item in items[:30]:
        parent = ctx.services.areas.get(item.area.parent).name if item.area.parent else ""
        lines.append(
            ctx.t(
                "approve.item",
                n=item.registration.id,
                name=item.person.name,
                area=item.area.name,
                parent=parent,
            )
        )
    lines.append(ctx.t("approve.how"))
    return ctx.ask("approve.pick", "\n".join(lines))


async def _decide(ctx: Context, words: str) -> Reply:
    parts = words.replace("#", " ").split(maxsplit=1)
    if not parts or not parts[0].isdigit():
        raise UserError("approve.usage")
    refuse = len(parts) > 1 and fold(parts[1]) in _REFUSE_WORDS
    registrations = ctx.services.people.registrations
    item = await registrations.decide(ctx.actor, int(parts[0]), approve=not refuse)
    key = "approve.rejected" if refuse else "approve.done"
    return ctx.reply(key, name=item.person.name, area=item.area.name, n=item.registration.id)


@router.command("duyet", "approve", where="P", roles=(Role.OFFICER,))
async def approve(ctx: Context) -> Reply:
    """List pending registrations of my area, or approve/refuse one by its number."""
    if not ctx.args:
        return _pending_list(ctx)
    return await _decide(ctx, ctx.args)


@router.prompt("approve.pick")
async def approve_pick(ctx: Context) -> Reply:
    """A bare number (optionally followed by `không`) answering the pending list."""
    reply = await _decide(ctx, ctx.args)
    if not ctx.services.people.registrations.pending_for(ctx.actor):
        ctx.clear_prompt()
    return reply
