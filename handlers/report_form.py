"""The step-by-step report form: typed answers, keypad presses, skip, and the end of the form."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.router import Router
from bot.core.text import fold
from bot.features.reports.text import SKIP_WORDS, ask_field, echo, question

router = Router("report_form")


async def _form_answer(ctx: Context, answer: str) -> Reply:
    state = dict(ctx.data["prompt"].data)
    reports = ctx.services.reports
    rt = reports.types.get(str(state["type"]))
    spec = rt.fields[int(state["index"])]
    answers = dict(state["answers"])
    if fold(answer) in SKIP_WORDS:
        if spec.required:
            return _with_question(
                ctx, ctx.t("report.form_required", field=spec.name(ctx.lang)), state
            )
    else:
        answers[spec.code] = reports.form_value(rt.code, spec.code, answer)
    state.update(answers=answers, index=int(state["index"]) + 1, typed="")
    if state["index"] < len(rt.fields):
        return ask_field(ctx, state)
    ctx.clear_prompt()
    if not answers:
        return ctx.reply("report.form_empty")
    return echo(ctx, reports.form_submit(ctx.actor, ctx.incoming, state), "report.saved")


def _with_question(ctx: Context, note: str, state: dict[str, object]) -> Reply:
    question = ask_field(ctx, state)
    return Reply(
        note + "\n\n" + question.text, buttons=question.buttons, force_reply=question.force_reply
    )


@router.prompt("report.form")
async def form_typed(ctx: Context) -> Reply:
    """A typed answer to the form's current question (private chats, or a reply in a group)."""
    return await _form_answer(ctx, ctx.args)


@router.callback("form")
async def form_button(ctx: Context) -> Reply | None:
    """A keypad press answers the presser's own form; someone else's press changes nothing."""
    inc = ctx.incoming
    _, owner, value = [*inc.callback_data.split(":", 2), "", ""][:3]
    if owner != inc.sender.id:
        await ctx.answer_button(ctx.t("report.form_not_yours"))
        return None
    await ctx.answer_button()
    prompt = ctx.current_prompt()
    if prompt is None or prompt.kind != "report.form":
        return None
    ctx.data["prompt"] = prompt
    if value.startswith("d:") or value == "back":
        # Building a number: keep it in the prompt and show it in the question, in place.
        state = dict(prompt.data)
        typed = str(state.get("typed", ""))
        state["typed"] = (typed + value[2:])[:6] if value.startswith("d:") else typed[:-1]
        ctx.keep_prompt("report.form", state)
        text, rows = question(ctx, state)
        await ctx.edit_message(text, rows)
        return None
    if value == "ok":
        typed = str(prompt.data.get("typed", ""))
        return await _form_answer(ctx, typed) if typed else None
    return await _form_answer(ctx, value)
