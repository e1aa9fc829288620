"""/khaosat (/survey): an officer asks the groups and people of an area a question with
options; answers come as native poll votes (Telegram) or typed `ks3 2` (everywhere)."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import Forbidden
from bot.core.messages import Button
from bot.core.models import Role
from bot.core.router import Router
from bot.core.text import fold
from bot.features.surveys.grammar import choice_of

router = Router("surveys")


@router.command("khaosat", "survey", where="P", roles=(Role.OFFICER,))
async def survey(ctx: Context) -> Reply:
    """Preview a survey; /xacnhan sends it. Alone (or `ds`): the recent surveys."""
    if fold(ctx.args) in ("", "ds", "list"):
        return _recent(ctx)
    surveys = ctx.services.surveys
    preview = surveys.prepare(ctx.actor, ctx.args)
    text = surveys.text.preview(ctx.lang, preview, minutes=surveys.confirm_minutes)
    buttons = (
        (
            Button(ctx.t("directive.confirm_button"), "ks:confirm", typed="/xacnhan"),
            Button(ctx.t("directive.cancel_button"), "ks:cancel", typed="/huy"),
        ),
    )
    return Reply(text, buttons=buttons)


def _recent(ctx: Context) -> Reply:
    surveys = ctx.services.surveys
    found = surveys.recent(ctx.actor)
    if not found:
        return ctx.reply("survey.none")
    lines = [ctx.t("survey.list_header")]
    lines += [surveys.text.row(ctx.lang, s, answers) for s, answers in found]
    lines.append(ctx.t("survey.list_footer"))
    return Reply("\n".join(lines))


@router.callback("ks")
async def preview_button(ctx: Context) -> Reply | None:
    """The preview's buttons: send, or drop it."""
    await ctx.answer_button()
    await ctx.remove_buttons()
    surveys = ctx.services.surveys
    if ctx.incoming.callback_data == "ks:confirm":
        sent = surveys.confirm(ctx.actor)
        return ctx.reply("survey.queued", number=sent.id, count=surveys.copies(sent))
    if surveys.cancel(ctx.actor):
        return ctx.reply("survey.cancelled")
    return ctx.reply("cancel.nothing")


@router.callback("poll")
async def poll_vote(ctx: Context) -> None:
    """A vote in a survey's native poll: recorded quietly (a poll answer has no chat)."""
    ctx.services.surveys.answer_poll(ctx.incoming)


# `ks3 2`, `KS 3: 2`, `khảo sát 3 có`: the typed answer, by number or by the option's words.
@router.typed(r"(?:ks|khao\s*sat)\s*(?:so\s*)?#?\s*(\d{1,6})\s*[\s:.,-]\s*(.+)")
async def typed_answer(ctx: Context) -> Reply:
    if ctx.actor.anonymous:
        raise Forbidden("anonymous.refused")
    number = int(ctx.data["match"].group(1))
    surveys = ctx.services.surveys
    survey = surveys.get(number)
    answered = surveys.answer_typed(
        ctx.actor, number, choice_of(survey, ctx.data["match"].group(2))
    )
    key = "survey.answer_changed" if answered.changed else "survey.answered"
    return ctx.reply(key, number=number, option=survey.options[answered.option])
