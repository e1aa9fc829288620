"""/chithi, /tinhtrang and the preview's buttons: an officer sends a directive and follows it
(/xacnhan, typed anywhere, is in handlers.confirm)."""

from __future__ import annotations

import re

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.messages import Button
from bot.core.models import OutboxFile, Role
from bot.core.router import Router
from bot.core.text import fold
from bot.features.broadcast.wording import excerpt

router = Router("directives")
_SURVEY = re.compile(r"(?:ks|khaosat|survey)(\d{1,6})")


@router.command("chithi", "thongbao", "directive", where="P", roles=(Role.OFFICER,))
async def directive(ctx: Context) -> Reply:
    """Preview a directive (with the file of the message replied to); /xacnhan sends it."""
    directives = ctx.services.directives
    file = await _relayed_file(ctx)
    preview = directives.service.prepare(ctx.actor, ctx.args, file=file)
    minutes = directives.service.settings.confirm_minutes
    text = directives.text.preview(ctx.lang, preview, minutes=minutes)
    buttons = (
        (
            Button(ctx.t("directive.confirm_button"), "dir:confirm", typed="/xacnhan"),
            Button(ctx.t("directive.cancel_button"), "dir:cancel", typed="/huy"),
        ),
    )
    return Reply(text, buttons=buttons)


async def _relayed_file(ctx: Context) -> OutboxFile | None:
    """The document or photo of the message replied to (or sent with the command), kept."""
    person = ctx.actor.person
    owner = person.id if person else None
    return await ctx.services.files.keep_attachment(ctx.incoming, owner=owner)


async def confirm(ctx: Context) -> Reply:
    """Send this person's directive waiting for confirmation (the preview's button)."""
    directives = ctx.services.directives.service
    sent = directives.confirm(ctx.actor)
    return ctx.reply("directive.queued", number=sent.id, count=directives.copies(sent))


@router.callback("dir")
async def preview_button(ctx: Context) -> Reply | None:
    """The preview's buttons: send, or drop it."""
    await ctx.answer_button()
    await ctx.remove_buttons()
    if ctx.incoming.callback_data == "dir:confirm":
        return await confirm(ctx)
    if ctx.services.directives.service.cancel(ctx.actor):
        return ctx.reply("directive.cancelled")
    return ctx.reply("cancel.nothing")


@router.command("tinhtrang", "status", where="P", roles=(Role.OFFICER, Role.SUPERVISOR))
async def status(ctx: Context) -> Reply:
    """Delivery and acknowledgement of directive n per unit; no number: the recent ones."""
    words = ctx.args.replace("#", " ").split()
    if not words:
        return _recent(ctx)
    survey = _SURVEY.fullmatch(fold("".join(words)))
    if survey:  # `/tinhtrang ks3`: survey 3's results (surveys are numbered apart)
        surveys = ctx.services.surveys
        results = surveys.results(ctx.actor, int(survey.group(1)))
        return Reply(surveys.text.results(ctx.lang, results))
    if not words[0].isdigit():
        raise UserError("status.usage")
    directives = ctx.services.directives
    view = directives.service.status(ctx.actor, int(words[0]))
    return Reply(directives.text.status(ctx.lang, view))


def _recent(ctx: Context) -> Reply:
    directives = ctx.services.directives
    found = directives.service.recent(ctx.actor)
    if not found:
        return ctx.reply("status.none")
    lines = [ctx.t("status.list_header")]
    for d in found:
        acked = directives.service.acked(d)
        lines.append(
            ctx.t("status.list_row", number=d.id, date=directives.text.when(d.created_at),
                  acked=acked, expected=len(d.expected), excerpt=excerpt(d.text, 40))
        )  # fmt: skip
    lines.append(ctx.t("status.usage"))
    return Reply("\n".join(lines))
