"""/hoi (/ask) and /traloi (/answer): questions from the field to the officers of the area,
answers back to the asker; the officer's copy has a "Trả lời" button (typed: /traloi 5 …)."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.messages import Button
from bot.core.models import Role
from bot.core.router import Router

router = Router("questions")

ASKERS = (Role.COLLABORATOR,)
ANSWERERS = (Role.OFFICER,)
MAX_LISTED = 15  # open questions listed by /traloi; the oldest first


@router.command("hoi", "ask", where="GP", roles=ASKERS)
async def ask(ctx: Context) -> Reply:
    """Send the question to the officers of my area; the answer comes back here."""
    asked = ctx.services.questions.ask(ctx.actor, ctx.args, chat=ctx.incoming.chat)
    number = asked.question.id
    if not asked.told:
        return ctx.reply("question.saved_nobody", number=number)
    return ctx.reply("question.sent", number=number, count=asked.told, level=asked.level_name)


@router.command("traloi", "answer", where="P", roles=ANSWERERS)
async def answer(ctx: Context) -> Reply:
    """`/traloi 5 <answer>`; `/traloi 5` asks for the answer; alone: the open questions."""
    parts = ctx.args.strip().removeprefix("#").split(None, 1)
    number, text = [*parts, "", ""][:2]
    if not number:
        return _open(ctx)
    if not number.isdigit():
        raise UserError("question.answer_usage")
    if not text.strip():
        return _ask_answer(ctx, int(number))
    return _answered(ctx, int(number), text)


@router.callback("qans")
async def answer_button(ctx: Context) -> Reply | None:
    """The "Trả lời" button under an officer's copy: ask for the answer."""
    await ctx.answer_button()
    number = ctx.incoming.callback_data.partition(":")[2]
    if not number.isdigit():
        return None
    if not ctx.actor.has_any(ANSWERERS):
        return ctx.reply("question.not_yours_button")
    return _ask_answer(ctx, int(number))


@router.prompt("question.answer")
async def answer_prompt(ctx: Context) -> Reply:
    """The typed answer to "Nội dung trả lời câu hỏi số 5?"."""
    number = int(ctx.data["prompt"].data["number"])
    ctx.clear_prompt()
    return _answered(ctx, number, ctx.args)


def _ask_answer(ctx: Context, number: int) -> Reply:
    q = ctx.services.questions.unanswered(ctx.actor, number)
    text = ctx.t("question.answer_prompt", number=number, question=q.text)
    return ctx.ask("question.answer", text, data={"number": number})


def _answered(ctx: Context, number: int, text: str) -> Reply:
    done = ctx.services.questions.answer(ctx.actor, number, text)
    targets = []
    if done.private:
        targets.append(ctx.t("question.target_private", name=done.asker))
    if done.group:
        targets.append(
            ctx.t("question.target_group", group=done.group_name)
            if done.group_name
            else ctx.t("question.target_group_unnamed")
        )
    if targets:
        lines = [ctx.t("question.answer_sent", number=number, targets=", ".join(targets))]
    else:
        lines = [ctx.t("question.answer_unreachable", number=number, asker=done.asker)]
    lines.append(ctx.t("question.save_hint", number=number))
    button = Button(
        ctx.t("question.save_button"),
        f"hbq:{number}",
        typed=ctx.t("question.save_typed", number=number),
    )
    return Reply("\n".join(lines), buttons=((button,),))


def _open(ctx: Context) -> Reply:
    questions = ctx.services.questions
    found = questions.open_for(ctx.actor)
    if not found:
        return ctx.reply("question.open_none")
    lines = [ctx.t("question.open_header", count=len(found))]
    text = questions.text
    for q in found[:MAX_LISTED]:
        lines.append(
            text.row(ctx.lang, q, asker=questions.asker_name(q), area=questions.area_name(q.area))
        )
    if len(found) > MAX_LISTED:
        lines.append(ctx.t("question.open_more", count=len(found) - MAX_LISTED))
    lines.append(ctx.t("question.answer_usage"))
    return Reply("\n".join(lines))
