"""How field reports read in chat: the echo of a stored report and the form's questions."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context, Reply
from bot.core.messages import Button
from bot.core.periods import describe
from bot.features.reports.service import Saved


def value_text(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def echo(ctx: Context, saved: Saved, key: str) -> Reply:
    """What was stored, in the person's field names, with village, period in words and lateness."""
    report, rt = saved.report, saved.type
    lines = [
        ctx.t(key, type=rt.name(ctx.lang), village=saved.village.name,
              period=describe(report.period, ctx.lang), version=report.version)
    ]  # fmt: skip
    known = {spec.code for spec in rt.fields}
    for code, value in report.values.items():
        if code == "ngay":
            name = ctx.t("report.event_day")
        else:  # a field removed from config since keeps its value, shown by its code
            name = rt.field(code).name(ctx.lang) if code in known else code
        lines.append(f"• {name}: {value_text(value, ctx.lang)}")
    if report.photo:
        lines.append(ctx.t("report.photo_kept"))
    if report.late and not report.retracted:
        lines.append(ctx.t("report.late"))
    return Reply("\n".join(lines))


SKIP_WORDS = {"bo qua", "boqua", "skip"}
_KEYPAD = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), ("0",))


def question(ctx: Context, state: dict[str, object]) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """The current field's question and its buttons: a keypad that builds a number on
    Telegram (digits, delete, OK: presses reach the bot even under group privacy mode),
    yes/no or the choices, and skip for optional fields."""
    rt = ctx.services.reports.types.get(str(state["type"]))
    index = int(state["index"])  # type: ignore[call-overload]
    spec = rt.fields[index]
    village = ctx.services.areas.get(str(state["village"])).name
    hint = "report.form_hint_required" if spec.required else "report.form_hint"
    lines = [
        ctx.t("report.form_question", n=index + 1, total=len(rt.fields),
              field=spec.name(ctx.lang), village=village,
              period=describe(str(state["period"]), ctx.lang)),
        ctx.t(hint),
    ]  # fmt: skip
    typed = str(state.get("typed", ""))
    if typed:
        lines.append(f"→ {typed}")
    caps = ctx.capabilities()
    buttons = caps is None or caps.buttons
    # Each button names the form's owner: in a group, only they can answer with it.
    own = f"form:{ctx.incoming.sender.id}"
    rows: list[tuple[Button, ...]] = []
    if spec.kind == "number" and buttons:
        rows = [tuple(Button(k, f"{own}:d:{k}") for k in row) for row in _KEYPAD[:3]]
        rows.append(
            (Button("⌫", f"{own}:back"), Button("0", f"{own}:d:0"), Button("✔ OK", f"{own}:ok"))
        )
    elif spec.kind == "yesno":
        rows = [
            (
                Button(ctx.t("report.yes"), f"{own}:có", "có"),
                Button(ctx.t("report.no"), f"{own}:không", "không"),
            )
        ]
    elif spec.kind == "choice":
        rows = [tuple(Button(o, f"{own}:{o}"[:60], o) for o in spec.options)]
    if not spec.required and (buttons or spec.kind != "number"):
        rows.append((Button(ctx.t("report.skip"), f"{own}:bỏ qua", "bỏ qua"),))
    return "\n".join(lines), tuple(rows)


def ask_field(ctx: Context, state: dict[str, object]) -> Reply:
    """Ask the current field and keep the form as this person's pending prompt here."""
    text, rows = question(ctx, state)
    return ctx.ask("report.form", text, data=dict(state), buttons=rows)
