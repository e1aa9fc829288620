"""/toi (/me): my roles, areas, linked accounts and reachability; /ngonngu switches language."""

from __future__ import annotations

from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import UserError
from bot.core.i18n import LANGUAGES
from bot.core.router import Router

router = Router("me")

PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


@router.command("toi", "me", where="GP")
async def me(ctx: Context) -> Reply:
    """Describe the sender as the bot knows them: ids and roles, never display names alone."""
    actor = ctx.actor
    areas = ctx.services.areas
    person = actor.person
    lines = []
    if person is None:
        lines.append(ctx.t("me.unknown", name=actor.name))
    else:
        lines.append(ctx.t("me.header", name=person.name, id=person.id))
    if actor.grants:
        for grant in actor.grants:
            area = areas.get(grant.area)
            lines.append(ctx.t("me.role", role=ctx.t(ROLE_KEYS[grant.role]), area=area.name))
    else:
        lines.append(ctx.t("me.no_role"))
    if person is not None:
        for acc in person.accounts:
            platform = acc.key.split(":", 1)[0]
            key = "me.account_reachable" if acc.reachable else "me.account_unreachable"
            lines.append(
                ctx.t(key, platform=PLATFORM_NAMES.get(platform, platform), name=acc.display_name)
            )
        for reg in ctx.services.people.registrations.pending_of(person.id):
            lines.append(ctx.t("me.pending", area=areas.get(reg.area).name, n=reg.id))
    return Reply("\n".join(lines))


@router.command("ngonngu", "language", where="GP")
async def language(ctx: Context) -> Reply:
    """Switch the language the bot uses with this person (vi or en)."""
    lang = ctx.args.strip().lower()
    if lang not in LANGUAGES:
        raise UserError("language.usage")
    directory = ctx.services.people.directory
    person = directory.ensure_person(ctx.incoming)
    directory.set_language(person, lang)
    ctx.lang = lang
    return ctx.reply("language.set")
