"""/nhac them|ds|xoa (/remind add|list|del): reminders, typed in one line or step by step."""

from __future__ import annotations

import re

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.messages import Button
from bot.core.models import Role
from bot.core.router import Router
from bot.core.text import fold

router = Router("reminders")

ADD, LIST, DELETE = {"them", "add"}, {"ds", "list", "danh sach"}, {"xoa", "del", "delete"}
SKIP = {"bo qua", "skip", "khong"}
# The form's first question: which kind, and how its `when` is built from the next answer.
KINDS = ("monthly", "weekly", "daily", "deadline", "campaign", "once")


@router.command("nhac", "remind", where="P", roles=(Role.OFFICER,))
async def remind(ctx: Context) -> Reply:
    head, _, rest = ctx.args.strip().partition(" ")
    word = fold(head)
    if word in ADD:
        if not rest.strip():
            return _ask_kind(ctx)
        return _added(ctx, rest)
    if word in LIST or not word:
        return _list(ctx)
    if word in DELETE:
        number = rest.replace("#", "").strip()
        if not number.isdigit():
            raise UserError("remind.usage")
        rem = ctx.services.reminders.delete(ctx.actor, int(number))
        return ctx.reply("remind.deleted", number=rem.id)
    raise UserError("remind.usage")


def _added(ctx: Context, args: str) -> Reply:
    reminders = ctx.services.reminders
    rem, first = reminders.add(ctx.actor, args)
    return ctx.reply(
        "remind.added", number=rem.id, when=reminders.describe_when(ctx.lang, rem),
        areas=reminders.area_names(rem), first=reminders.local(first),
    )  # fmt: skip


def _list(ctx: Context) -> Reply:
    reminders = ctx.services.reminders
    found = reminders.visible(ctx.actor)
    if not found:
        return ctx.reply("remind.none")
    lines = [ctx.t("remind.list_header", count=len(found))]
    for rem, moment in found:
        text = rem.text or ctx.t(
            "remind.digest_text" if rem.kind == "digest" else "remind.deadline_default"
        )
        lines.append(
            ctx.t("remind.list_row", number=rem.id, when=reminders.describe_when(ctx.lang, rem),
                  areas=reminders.area_names(rem), text=text[:80], next=reminders.local(moment))
            + (" " + ctx.t("remind.from_config_mark") if rem.source else "")
        )  # fmt: skip
    lines.append(ctx.t("remind.list_footer"))
    return Reply("\n".join(lines))


# --- the step-by-step form ---------------------------------------------------------------------


def _ask_kind(ctx: Context) -> Reply:
    buttons = tuple(
        (Button(ctx.t(f"remind.kind.{k}"), f"remindk:{i}", str(i)),)
        for i, k in enumerate(KINDS, start=1)
    )
    return ctx.ask("remind.form", ctx.t("remind.form_kind"), data={"step": "kind"},
                   buttons=buttons)  # fmt: skip


@router.callback("remindk")
async def kind_button(ctx: Context) -> Reply | None:
    await ctx.answer_button()
    prompt = ctx.current_prompt()
    if prompt is None or prompt.kind != "remind.form" or prompt.data.get("step") != "kind":
        return None
    ctx.data["prompt"] = prompt
    return await form(_with_args(ctx, ctx.incoming.callback_data.partition(":")[2]))


def _with_args(ctx: Context, args: str) -> Context:
    ctx.args = args
    return ctx


@router.prompt("remind.form")
async def form(ctx: Context) -> Reply:
    state = dict(ctx.data["prompt"].data)
    answer = ctx.args.strip()
    step = state.get("step")
    if step == "kind":
        if not answer.isdigit() or not 1 <= int(answer) <= len(KINDS):
            return _ask_kind(ctx)
        kind = KINDS[int(answer) - 1]
        return ctx.ask("remind.form", ctx.t(f"remind.form_when.{kind}"),
                       data={"step": "when", "kind": kind})  # fmt: skip
    if step == "when":
        when = _when(str(state["kind"]), answer)
        # Check the schedule now, so a mistake is caught at this step, not after the text.
        ctx.services.reminders.check_when(when)
        key = "remind.form_text_optional" if state["kind"] == "deadline" else "remind.form_text"
        return ctx.ask("remind.form", ctx.t(key), data={**state, "step": "text", "when": when})
    ctx.clear_prompt()
    text = "" if state.get("kind") == "deadline" and fold(answer) in SKIP else answer
    return _added(ctx, f"{state['when']}: {text}" if text else str(state["when"]))


def _when(kind: str, answer: str) -> str:
    """The form's answer as the one-line `when` of the grammar."""
    words = fold(answer)
    if kind == "monthly":
        day, _, rest = words.partition(" ")
        return f"ngay {day} hang thang {rest}"
    if kind == "weekly":
        found = re.match(r"^(?:thu\s+)?(\w+)\s*(.*)$", words)
        if words.startswith(("cn", "chu nhat")):
            return f"chu nhat hang tuan {words.removeprefix('chu nhat').removeprefix('cn')}"
        return f"thu {found.group(1)} hang tuan {found.group(2)}" if found else words
    if kind == "daily":
        return f"hang ngay {words}"
    if kind == "deadline":
        days, _, rest = words.partition(" ")
        return f"truoc han {days} ngay {rest}"
    if kind == "campaign":
        return f"chien dich {words}"
    return words
