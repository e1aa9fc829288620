"""/batdau (/start): greeting, what the bot keeps and why, and this person's next step."""

from __future__ import annotations

from bot.context import Context, Reply
from bot.models import Role
from bot.router import Router

router = Router("start")


@router.command("batdau", "start", where="GP")
async def start(ctx: Context) -> Reply:
    """Greet, show the privacy notice, and say what to do next."""
    actor = ctx.actor
    # First contact creates the person record: the notice below says what is kept and why.
    ctx.services.people.ensure_person(ctx.incoming)
    if actor.has_any((Role.OFFICER, Role.SUPERVISOR)):
        step = ctx.t("start.next_officer")
    elif actor.has_any((Role.COLLABORATOR,)):
        step = ctx.t("start.next_collaborator")
    else:
        step = ctx.t("start.next_newcomer")
    text = "\n\n".join(
        [
            ctx.t("start.greeting"),
            ctx.t("start.privacy", days=ctx.services.privacy_days),
            step,
        ]
    )
    return Reply(text)
