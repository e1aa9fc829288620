"""Invites and turnover: a typed invite code binds this account; officers re-invite (/moilai),
replace a village's collaborator (/thaythe), deactivate someone (/ngung) and see who the bot
cannot reach privately (/nguoi)."""

from __future__ import annotations

import re

from bot.core import places
from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.router import Router
from bot.features.people.invites import TYPED_CODE
from bot.features.people.turnover import READERS, RosterEntry

router = Router("people")
MAX_LINES = 60
_PERSON = re.compile(r"#?\d{1,7}")
_PLATFORMS = {"telegram": "telegram", "tg": "telegram", "zalo": "zalo"}


@router.typed(TYPED_CODE)
async def typed_code(ctx: Context) -> Reply | None:
    """An invite code typed in private (on Zalo the only way; on Telegram the link sends it)."""
    if not ctx.is_private:
        return None
    invites = ctx.services.people.invites
    person = invites.redeem(ctx.incoming, ctx.incoming.text)
    welcome = invites.welcome(person, ctx.lang)
    text, buttons = ctx.services.privacy.consent.welcome(welcome, person, ctx.lang)
    return Reply(text, buttons=buttons)


@router.command("moilai", "reinvite", where="P", roles=(Role.OFFICER,))
async def reinvite(ctx: Context) -> Reply:
    """`/moilai <person> [telegram|zalo]`: a fresh invite that replaces a lost account."""
    parts = ctx.args.split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in _PLATFORMS):
        raise UserError("reinvite.usage")
    people = ctx.services.people
    target = people.directory.find(parts[0])
    platform = _PLATFORMS[parts[1].lower()] if len(parts) == 2 else ""
    invite = people.turnover.reinvite(ctx.actor, target, platform)
    return ctx.reply(
        "reinvite.done",
        name=target.name,
        id=target.id,
        code=invite.code,
        date=invite.expires_at.strftime("%d/%m/%Y"),
        how=people.invites.instruction(invite, ctx.lang),
        platform=invite.platform.capitalize(),
    )


@router.command("thaythe", "replace", where="P", roles=(Role.OFFICER,))
async def replace_collaborator(ctx: Context) -> Reply:
    """`/thaythe <village> <new person>`: the new person becomes the village's collaborator."""
    words = ctx.args.split()
    if len(words) < 2 or not _PERSON.fullmatch(words[-1]):
        raise UserError("replace.usage")
    people = ctx.services.people
    village = places.resolve(ctx.services.areas, " ".join(words[:-1]))
    new = people.directory.find(words[-1])
    old = people.turnover.replace_collaborator(ctx.actor, village, new)
    await people.notices.replaced(village, new, old, role=ctx.t(ROLE_KEYS[Role.COLLABORATOR]))
    former = ", ".join(f"{p.name} (#{p.id})" for p in old) or ctx.t("replace.nobody")
    return ctx.reply("replace.done", name=new.name, id=new.id, area=village.name, old=former)


@router.command("ngung", "deactivate", where="P", roles=(Role.OFFICER,))
async def deactivate(ctx: Context) -> Reply:
    """`/ngung <person>`: they can no longer use the bot; their reports stay counted."""
    if not _PERSON.fullmatch(ctx.args.strip()):
        raise UserError("deactivate.usage")
    people = ctx.services.people
    target = people.directory.find(ctx.args)
    target = people.turnover.deactivate(ctx.actor, target)
    return ctx.reply("deactivate.done", name=target.name, id=target.id)


@router.command("nguoi", "people", where="P", roles=READERS)
async def roster(ctx: Context) -> Reply:
    """`/nguoi [area]`: people of the area with role, platform, and who is not reachable."""
    areas, turnover = ctx.services.areas, ctx.services.people.turnover
    if ctx.args:
        codes = [places.resolve(areas, ctx.args).code]
    else:
        codes = ctx.actor.areas_of(READERS)
    seen: dict[int, RosterEntry] = {}
    for code in codes:
        for entry in turnover.roster(ctx.actor, code):
            seen.setdefault(entry.person.id, entry)
    entries = sorted(seen.values(), key=lambda e: (e.reachable, e.person.id))
    if not entries:
        return ctx.reply("roster.none")
    names = ", ".join(areas.get(c).name for c in codes)
    unreachable = sum(not e.reachable for e in entries)
    lines = [ctx.t("roster.title", area=names, count=len(entries), unreachable=unreachable)]
    lines += [_line(ctx, e) for e in entries[:MAX_LINES]]
    if len(entries) > MAX_LINES:
        lines.append(ctx.t("roster.more", count=len(entries) - MAX_LINES))
    return Reply("\n".join(lines))


def _line(ctx: Context, entry: RosterEntry) -> str:
    person, areas = entry.person, ctx.services.areas
    roles = ", ".join(
        f"{ctx.t(ROLE_KEYS[g.role])} {areas.get(g.area).name}"
        for g in person.roles
        if g.area in areas
    )
    where = ", ".join(p.capitalize() for p in entry.platforms) or "-"  # Telegram, Zalo
    if entry.reachable:
        flag = ""
    elif entry.invited is not None and not person.accounts:
        flag = " " + ctx.t("roster.not_joined", code=entry.invited.code)
    elif person.accounts:
        flag = " " + ctx.t("roster.unreachable")
    else:
        flag = " " + ctx.t("roster.no_account")
    return f"#{person.id} {person.name} – {roles} – {where}{flag}"
