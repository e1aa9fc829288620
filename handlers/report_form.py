"""The step-by-step report form: typed answers and keypad presses, each checked when given; the
summary and saving; and the reply to a late answer or press once the form has ended."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.router import Router
from bot.core.text import fold
from bot.features.reports.form import SAVE_WORDS, SKIP_WORDS, Broken, Form, Missing, read_answer
from bot.features.reports.form_text import (
    FORM,
    FORM_ENDED,
    Press,
    ask,
    broken_note,
    missing_note,
    question,
)
from bot.features.reports.grammar.values import flag_value
from bot.features.reports.previous import is_keep
from bot.features.reports.text import echo

router = Router("report_form")


@router.prompt(FORM)
async def form_typed(ctx: Context) -> Reply:
    """A typed answer to the form's current question (private chats, or a reply in a group)."""
    form = ctx.services.reports.form(ctx.data["prompt"].data)
    return _answer(ctx, form, ctx.args)


@router.callback("form")
async def form_button(ctx: Context) -> Reply | None:
    """A keypad press answers the presser's own form's current question; someone else's
    press, or a press on a question already answered or a form that ended, changes nothing
    and says so."""
    press = Press.read(ctx.incoming.callback_data)
    if press.owner != ctx.incoming.sender.id:
        await ctx.answer_button(ctx.t("report.form_not_yours"))
        return None
    prompt = ctx.current_prompt()
    form = ctx.services.reports.form(prompt.data) if prompt and prompt.kind == FORM else None
    if form is None or press.stale(form):
        await ctx.answer_button(ctx.t("report.form_ended" if form is None else "report.form_past"))
        await ctx.remove_buttons()
        return None
    value = press.value
    if form.field is not None and (value.startswith("d:") or value == "back"):
        # Building a number: keep it in the prompt and show it in the question, in place.
        await ctx.answer_button()
        form.typed = (form.typed + value[2:])[:6] if value != "back" else form.typed[:-1]
        ctx.keep_prompt(FORM, form.data())
        await ctx.edit_message(*question(ctx, form))
        return None
    if value == "ok" and not form.typed:
        await ctx.answer_button(ctx.t("report.form_press_digits"))
        return None
    await ctx.answer_button()
    await ctx.remove_buttons()  # the question is answered: its keypad goes
    return _answer(ctx, form, form.typed if value == "ok" else press.answer(form))


@router.prompt(FORM_ENDED)
async def form_ended(ctx: Context) -> Reply:
    """An answer typed after the form ended (saved, or nothing to save) is not kept: say so."""
    folded = fold(ctx.args).rstrip(".,!")
    answer = folded in SKIP_WORDS | SAVE_WORDS or folded.lstrip("#").isdigit()
    if answer or flag_value(folded) is not None:
        return ctx.reply("report.form_closed")
    return ctx.reply("unknown.text")


def _answer(ctx: Context, form: Form, text: str) -> Reply:
    """Check the answer now: a refusal or a broken rule asks again (the rest is kept)."""
    spec = form.field
    if spec is None:
        return _at_summary(ctx, form, text)
    broken = None
    try:
        if fold(text) in SKIP_WORDS:
            form.skip(lang=ctx.lang)
        else:
            if form.previous and is_keep(text):  # «g»: the previous period's answer
                text = form.kept(lang=ctx.lang)
            today = ctx.services.reports.today()
            broken = form.take(read_answer(spec, text, today=today, lang=ctx.lang))
    except UserError as refusal:
        form.typed = ""
        return ask(ctx, form, ctx.t(refusal.key, **refusal.params))
    if broken is not None:
        return ask(ctx, form, broken_note(ctx, broken))
    if form.field is None and not form.answers:
        return _end(ctx, ctx.reply("report.form_empty"))
    return ask(ctx, form)


def _at_summary(ctx: Context, form: Form, text: str) -> Reply:
    """At the summary: a field's number asks it again; `lưu` saves."""
    folded = fold(text).rstrip(".!")
    try:
        if folded.lstrip("#").isdigit():
            form.reopen(int(folded.lstrip("#")))
            return ask(ctx, form)
        if folded not in SAVE_WORDS:
            raise UserError(
                "report.form_summary_unknown", value=text.strip(), max=len(form.rt.fields)
            )
    except UserError as refusal:
        return ask(ctx, form, ctx.t(refusal.key, **refusal.params))
    return _save(ctx, form)


def _save(ctx: Context, form: Form) -> Reply:
    """Store the answers; whatever stops it leaves the form open, asking what needs fixing."""
    problem = form.problem()
    if isinstance(problem, Broken):
        return ask(ctx, form, broken_note(ctx, problem))
    if isinstance(problem, Missing):
        return ask(ctx, form, missing_note(ctx, problem))
    if not form.answers:
        return _end(ctx, ctx.reply("report.form_empty"))
    try:
        saved = ctx.services.reports.form_submit(ctx.actor, ctx.incoming, form)
    except UserError as refusal:
        reason = ctx.t(refusal.key, **refusal.params)
        return ask(ctx, form, ctx.t("report.form_not_saved", reason=reason))
    return _end(ctx, echo(ctx, saved, "report.saved"))


def _end(ctx: Context, reply: Reply) -> Reply:
    """The form is over. In a private chat a marker stays a while, so that a late answer is
    told so (in a group, text addressed to the bot goes on to whatever else reads it; a late
    press is told anyway)."""
    if ctx.is_private:
        ctx.keep_prompt(FORM_ENDED, {})
    else:
        ctx.clear_prompt()
    return reply
