"""/dongy (/agree): agree to the privacy notice (button, command or typed "đồng ý");
`/dongy huy` withdraws the consent."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import Forbidden
from bot.core.router import Router
from bot.core.text import fold
from bot.features.audit.log import person_who

router = Router("consent")

WITHDRAW = frozenset({"huy", "rut", "rut lai", "withdraw", "cancel"})


async def _agree(ctx: Context, via: str) -> Reply:
    if ctx.actor.anonymous:
        raise Forbidden("anonymous.refused")
    privacy = ctx.services.privacy.consent
    person = ctx.services.people.directory.ensure_person(ctx.incoming)
    if person.consent_version >= privacy.version:
        return ctx.reply("consent.already")
    privacy.consent(person, who=person_who(person.id), where=ctx.incoming.chat.key, via=via)
    return ctx.reply("consent.thanks", days=privacy.settings.retention_days)


@router.command("dongy", "agree", where="GP")
async def agree(ctx: Context) -> Reply:
    """Agree; with `huy` (`withdraw`), withdraw."""
    if fold(ctx.args) not in WITHDRAW:
        return await _agree(ctx, "command")
    person = ctx.actor.person
    if person is None or person.consent_version == 0:
        return ctx.reply("consent.nothing_to_withdraw")
    consent = ctx.services.privacy.consent
    consent.withdraw(person, who=person_who(person.id), where=ctx.incoming.chat.key)
    return ctx.reply("consent.withdrawn")


@router.typed(r"(?:toi )?dong y")
async def agree_typed(ctx: Context) -> Reply:
    return await _agree(ctx, "typed")


@router.callback("consent")
async def agree_button(ctx: Context) -> Reply:
    await ctx.answer_button()
    return await _agree(ctx, "button")
