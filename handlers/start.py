"""/batdau (/start): greeting, what the bot keeps and why, and this person's next step."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.models import Role
from bot.core.router import Router

router = Router("start")


@router.command("batdau", "start", where="GP")
async def start(ctx: Context) -> Reply:
    """Greet, show the privacy notice, and say what to do next."""
    people, privacy = ctx.services.people, ctx.services.privacy.consent
    if ctx.args and ctx.is_private and people.invites.looks_like_code(ctx.args):
        # An invite's deep link (t.me/<bot>?start=CODE): bind this account, no approval step.
        person = people.invites.redeem(ctx.incoming, ctx.args)
        welcome = people.invites.welcome(person, ctx.lang)
        text, buttons = privacy.welcome(welcome, person, ctx.lang)
        return Reply(text, buttons=buttons)
    actor = ctx.actor
    # First contact creates the person record: the notice below says what is kept and why.
    people.directory.ensure_person(ctx.incoming)
    if actor.has_any((Role.OFFICER, Role.SUPERVISOR)):
        step = ctx.t("start.next_officer")
    elif actor.has_any((Role.COLLABORATOR,)):
        step = ctx.t("start.next_collaborator")
    else:
        step = ctx.t("start.next_newcomer")
    # The notice (what is kept, why, how long, who sees it, where it travels) and, until they
    # agree, the consent button; handlers/consent.py records the answer.
    person = people.directory.actor(ctx.incoming).person
    asking = privacy.needs_consent(person)
    agreed = person is not None and person.consent_version > 0
    consent = ctx.t("consent.ask") if asking else ctx.t("consent.already") if agreed else ""
    parts = [ctx.t("start.greeting"), privacy.notice(ctx.lang), consent, step]
    text = "\n\n".join(p for p in parts if p)
    return Reply(text, buttons=privacy.buttons(ctx.lang) if asking else ())
