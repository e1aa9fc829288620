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
from bot.delivery.attachments import keep_attachment
from bot.features.broadcast.wording import excerpt

router = Router("directives")
_SURVEY = re.compile(r"(?:ks|khaosat|survey)(\d{1,6})")


@router.command("chithi", "directive", where="P", roles=(Role.OFFICER,))
async def directive(ctx: Context) -> Reply:
    """Preview a directive (with the file of the message replied to); /xacnhan sends it."""
    file = await _relayed_file(ctx)
    preview = ctx.services.directives.prepare(ctx.actor, ctx.args, file=file)
    minutes = ctx.services.directives.settings.confirm_minutes
    text = ctx.services.directive_text.preview(ctx.lang, preview, minutes=minutes)
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
    return await keep_attachment(
        ctx.incoming, delivery=ctx.services.delivery, files=ctx.services.files,
        owner=person.id if person else None,
    )  # fmt: skip


async def confirm(ctx: Context) -> Reply:
    """Send this person's directive waiting for confirmation (the preview's button)."""
    directives = ctx.services.directives
    sent = directives.confirm(ctx.actor)
    return ctx.reply("directive.queued", number=sent.id, count=directives.copies(sent))


@router.callback("dir")
async def preview_button(ctx: Context) -> Reply | None:
    """The preview's buttons: send, or drop it."""
    inc = ctx.incoming
    await ctx.services.delivery.answer_callback(inc.chat, inc.callback_id)
    await ctx.services.delivery.edit_buttons(inc.chat, inc.message_id, (), urgent=True)
    if inc.callback_data == "dir:confirm":
        return await confirm(ctx)
    if ctx.services.directives.cancel(ctx.actor):
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
        results = ctx.services.surveys.results(ctx.actor, int(survey.group(1)))
        return Reply(ctx.services.survey_text.results(ctx.lang, results))
    if not words[0].isdigit():
        raise UserError("status.usage")
    view = ctx.services.directives.status(ctx.actor, int(words[0]))
    return Reply(ctx.services.directive_text.status(ctx.lang, view))


def _recent(ctx: Context) -> Reply:
    found = ctx.services.directives.recent(ctx.actor)
    if not found:
        return ctx.reply("status.none")
    lines = [ctx.t("status.list_header")]
    for d in found:
        acked = ctx.services.directives.acked(d)
        lines.append(
            ctx.t("status.list_row", number=d.id, date=ctx.services.directive_text.when(
                d.created_at), acked=acked, expected=len(d.expected), excerpt=excerpt(d.text, 40))
        )  # fmt: skip
    lines.append(ctx.t("status.usage"))
    return Reply("\n".join(lines))
