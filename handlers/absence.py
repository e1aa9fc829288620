"""/vang (/away): days away, when no reminder or chase reaches a person; list and cancel."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.models import Role
from bot.core.router import Router
from bot.core.text import fold

router = Router("absence")

CANCEL = {"huy", "cancel", "xoa"}
LIST = {"xem", "ds", "list"}


@router.command("vang", "away", where="P", roles=(Role.COLLABORATOR, Role.OFFICER))
async def away(ctx: Context) -> Reply:
    """`/vang <from> [<to>]`, `/vang <person> <from> [<to>]`, `/vang`, `/vang huy [n]`."""
    absences = ctx.services.people.absences
    head, _, rest = ctx.args.strip().partition(" ")
    if not head or fold(head) in LIST:
        return _listing(ctx)
    if fold(head) in CANCEL:
        lines = []
        for row in absences.cancel(ctx.actor, rest):
            days = absences.span(row.absence)
            if ctx.actor.person is not None and row.person.id == ctx.actor.person.id:
                lines.append(ctx.t("absence.cancelled_self", days=days))
            else:
                lines.append(ctx.t("absence.cancelled", days=days, name=row.person.name))
        return Reply("\n".join(lines))
    row = await absences.mark(ctx.actor, ctx.args)
    days = absences.span(row.absence)
    if ctx.actor.person is not None and row.person.id == ctx.actor.person.id:
        return ctx.reply("absence.set_self", days=days)
    return ctx.reply(
        "absence.set_other", days=days, name=row.person.name, place=row.place,
        number=row.absence.id,
    )  # fmt: skip


def _listing(ctx: Context) -> Reply:
    absences = ctx.services.people.absences
    rows = absences.listing(ctx.actor)
    if not rows:
        officer = ctx.actor.has_any((Role.OFFICER,))
        return ctx.reply("absence.none_area" if officer else "absence.none_self")
    lines = [ctx.t("absence.list_header", count=len(rows))]
    for row in rows:
        lines.append(
            ctx.t("absence.list_row", number=row.absence.id, name=row.person.name,
                  place=row.place, days=absences.span(row.absence))
            + (" " + ctx.t("absence.now") if row.current else "")
            + (f" – {row.absence.note}" if row.absence.note else "")
        )  # fmt: skip
    lines.append(ctx.t("absence.list_footer"))
    return Reply("\n".join(lines))
