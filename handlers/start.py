"""/batdau (/start): one phone screen saying who the bot is, what it keeps and this person's
next step; /dulieu (/privacy, or the screen's button): the whole privacy notice."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.help_catalogue import examples
from bot.core.models import Role
from bot.core.router import Router

router = Router("start")


@router.command("batdau", "start", where="GP")
async def start(ctx: Context) -> Reply:
    """Greet, say in one line what is kept (the whole notice is a tap away), say what next."""
    people, privacy = ctx.services.people, ctx.services.privacy.consent
    if ctx.args and ctx.is_private and people.invites.looks_like_code(ctx.args):
        # An invite's deep link (t.me/<bot>?start=CODE): bind this account, no approval step.
        person = people.invites.redeem(ctx.incoming, ctx.args)
        welcome = people.invites.welcome(person, ctx.lang)
        text, buttons = privacy.welcome(welcome, person, ctx.lang)
        return Reply(text, buttons=buttons)
    # First contact creates the person record: the line below says what is kept and why.
    person = people.directory.ensure_person(ctx.incoming)
    asking = privacy.needs_consent(person)
    data = privacy.summary(ctx.lang)
    if asking:
        data += "\n" + ctx.t("privacy.agree_to_send")
    # The data line last, so that "agree:" sits right above the buttons (typed twins on Zalo).
    parts = [ctx.t("bot.automated") + " " + ctx.t("start.greeting"), _next_step(ctx), data]
    text = "\n\n".join(p for p in parts if p)
    return Reply(text, buttons=privacy.buttons(ctx.lang, consent=asking, notice=True))


@router.command("dulieu", "privacy", where="GP")
async def notice(ctx: Context) -> Reply:
    """The whole privacy notice, and the consent button until this person has agreed."""
    return _notice(ctx)


@router.callback("notice")
async def notice_button(ctx: Context) -> Reply:
    await ctx.answer_button()
    return _notice(ctx)


def _notice(ctx: Context) -> Reply:
    privacy = ctx.services.privacy.consent
    person = ctx.actor.person
    asking = privacy.needs_consent(person)
    agreed = person is not None and person.consent_version > 0
    consent = ctx.t("consent.ask") if asking else ctx.t("consent.already") if agreed else ""
    text = "\n\n".join(p for p in (privacy.notice(ctx.lang), consent) if p)
    return Reply(text, buttons=privacy.buttons(ctx.lang) if asking else ())


def _next_step(ctx: Context) -> str:
    actor = ctx.actor
    if actor.has_any((Role.OFFICER,)):
        return ctx.t("start.next_officer")
    if actor.has_any((Role.SUPERVISOR,)):
        return ctx.t("start.next_supervisor")
    if actor.has_any((Role.COLLABORATOR,)):
        return ctx.t("start.next_collaborator")
    person = actor.person
    pending = ctx.services.people.registrations.pending_of(person.id) if person else []
    areas = ctx.services.areas
    if pending and pending[0].area in areas:
        return ctx.t("start.next_pending", area=areas.get(pending[0].area).name)
    return ctx.t("start.next_newcomer", **examples(areas, actor))
