"""How the step-by-step form reads in chat: each question with its keypad (Telegram) or typed
twins (Zalo), the notes that say why a question is asked again, the summary of every answer
before saving, and what its buttons carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.context import Context, Reply
from bot.core.messages import Button
from bot.core.models import PROMPT_ENDED
from bot.core.periods import describe
from bot.features.reports.form import Broken, Form, Missing
from bot.features.reports.previous import KEEP_TYPED
from bot.features.reports.text import value_text, was_now

FORM = "report.form"  # the prompt of a form in progress
FORM_ENDED = FORM + PROMPT_ENDED  # what a form leaves for a while when it ends
Rows = tuple[tuple[Button, ...], ...]
_KEYPAD = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"))
_EDITS_PER_ROW = 4
# What a button stands for, as the person would type it (old keypads carry the answer itself).
_PRESSED = {"y": "có", "n": "không", "skip": "bỏ qua", "save": "lưu", "keep": KEEP_TYPED}
_KEEP_LABEL = 24  # characters of a kept value shown on its button


@dataclass(frozen=True, slots=True)
class Press:
    """A form button: `form:<owner>#<form id>.<step>:<value>`. Keypads sent before forms had
    an id read `form:<owner>:<value>` and count as the person's current form and question."""

    owner: str
    form: str
    step: int
    value: str

    @classmethod
    def read(cls, data: str) -> Press:
        _, _, rest = data.partition(":")
        who, _, value = rest.partition(":")
        owner, _, tag = who.partition("#")
        form_id, _, step = tag.partition(".")
        return cls(owner, form_id, int(step) if step.isdigit() else -1, value)

    def stale(self, form: Form) -> bool:
        """Whether the button belongs to another form, or to a question already answered."""
        return bool(self.form) and (self.form, self.step) != (form.id, form.step)

    def answer(self, form: Form) -> str:
        """The typed answer this button stands for."""
        kind, _, arg = self.value.partition(":")
        if kind == "e":
            return arg
        spec = form.field
        if kind == "c" and spec is not None and arg.isdigit() and int(arg) < len(spec.options):
            return spec.options[int(arg)]
        return _PRESSED.get(self.value, self.value)


def ask(ctx: Context, form: Form, note: str = "") -> Reply:
    """Ask the form's current question (or show the summary), after `note` if any, and keep
    the form as this person's pending prompt here."""
    form.step += 1
    text, rows = question(ctx, form)
    return ctx.ask(FORM, f"{note}\n\n{text}" if note else text, data=form.data(), buttons=rows)


def ask_field(ctx: Context, state: dict[str, Any]) -> Reply:
    """Ask the first question of a form just opened (/baocao with no fields)."""
    return ask(ctx, ctx.services.reports.form(state))


def question(ctx: Context, form: Form) -> tuple[str, Rows]:
    """The current field's question and its buttons: a keypad that builds a number on
    Telegram (digits, delete, OK: presses reach the bot even under group privacy mode),
    yes/no or the choices, and skip for optional fields; or the summary when all were asked."""
    spec = form.field
    if spec is None:
        return summary(ctx, form)
    rt = form.rt
    hint = "report.form_hint_required" if spec.required else "report.form_hint"
    lines = [
        ctx.t("report.form_question", n=form.number(spec), total=len(rt.fields),
              field=spec.name(ctx.lang), village=_village(ctx, form),
              period=describe(form.period, ctx.lang)),
        ctx.t(hint),
    ]  # fmt: skip
    # Period mode: the previous period's answer, offered to keep.
    before = value_text(form.previous[spec.code], ctx.lang) if spec.code in form.previous else ""
    if spec.code in form.previous:
        lines.append(ctx.t("report.form_previous", period=describe(form.since, ctx.lang),
                           value=before))  # fmt: skip
    if spec.code in form.answers:  # reopened from the summary
        lines.append(
            ctx.t("report.form_current", value=value_text(form.answers[spec.code], ctx.lang))
        )
    if form.typed:
        lines.append(f"→ {form.typed}")
    buttons = _buttons(ctx)
    tag = _tag(ctx, form)
    rows: list[tuple[Button, ...]] = []
    if spec.kind == "number" and buttons:
        rows = [tuple(Button(k, f"{tag}:d:{k}") for k in row) for row in _KEYPAD]
        rows.append((Button("⌫", f"{tag}:back"), Button("0", f"{tag}:d:0"),
                     Button("✔ OK", f"{tag}:ok")))  # fmt: skip
    elif spec.kind == "yesno":
        rows = [(Button(ctx.t("report.yes"), f"{tag}:y", "có"),
                 Button(ctx.t("report.no"), f"{tag}:n", "không"))]  # fmt: skip
    elif spec.kind == "choice":
        rows = [tuple(Button(o, f"{tag}:c:{i}", o) for i, o in enumerate(spec.options))]
    if spec.code in form.previous:  # «Giữ 12»; typed: «g»
        label = ctx.t("report.form_keep", value=_short(before))
        rows.append((Button(label, f"{tag}:keep", KEEP_TYPED),))
    if not spec.required and (buttons or spec.kind != "number"):
        rows.append((Button(ctx.t("report.skip"), f"{tag}:skip", "bỏ qua"),))
    return "\n".join(lines), tuple(rows)


def summary(ctx: Context, form: Form) -> tuple[str, Rows]:
    """Every answer before saving, numbered so that one can be changed; save, or a number."""
    rt = form.rt
    lines = [
        ctx.t("report.form_summary", type=rt.name(ctx.lang), village=_village(ctx, form),
              period=describe(form.period, ctx.lang))
    ]  # fmt: skip
    for n, spec in enumerate(rt.fields, 1):
        code = spec.code
        shown = (
            value_text(form.answers[code], ctx.lang)
            if code in form.answers
            else ctx.t("report.form_skipped")
        )
        if form.previous and form.previous.get(code) != form.answers.get(code):
            shown = was_now(ctx, form.previous, code, shown)  # "12 → 14": changed
        lines.append(f"{n}. {spec.name(ctx.lang)}: {shown}")
    if form.previous:
        lines.append(_against_previous(ctx, form))
    buttons = _buttons(ctx)
    lines.append(
        ctx.t("report.form_summary_hint_buttons" if buttons else "report.form_summary_hint")
    )
    tag = _tag(ctx, form)
    save = Button(ctx.t("report.form_save"), f"{tag}:save", "save" if ctx.lang == "en" else "lưu")
    rows: list[tuple[Button, ...]] = [(save,)]
    if buttons:
        edits = [Button(f"✏ {n}", f"{tag}:e:{n}") for n in range(1, len(rt.fields) + 1)]
        rows += [
            tuple(edits[i : i + _EDITS_PER_ROW]) for i in range(0, len(edits), _EDITS_PER_ROW)
        ]
    return "\n".join(lines), tuple(rows)


def _against_previous(ctx: Context, form: Form) -> str:
    """Under a summary that started from the previous period's answers: how many changed."""
    codes = {*form.previous, *form.answers}
    changed = sum(form.previous.get(c) != form.answers.get(c) for c in codes)
    period = describe(form.since, ctx.lang)
    if not changed:
        return ctx.t("report.form_summary_same", period=period)
    return ctx.t("report.form_summary_changed", period=period, n=changed)


def _short(text: str) -> str:
    return text if len(text) <= _KEEP_LABEL else text[: _KEEP_LABEL - 1].rstrip() + "…"


def broken_note(ctx: Context, broken: Broken) -> str:
    """Why fields are asked again: the rule, the numbers given, and which fields."""
    return ctx.t(
        "report.form_rule",
        message=broken.rule.message(ctx.lang),
        given=", ".join(f"{f.name(ctx.lang)} {value_text(v, ctx.lang)}" for f, v in broken.given),
        fields=", ".join(f.name(ctx.lang) for f in broken.again),
    )


def missing_note(ctx: Context, missing: Missing) -> str:
    return ctx.t("report.form_missing", fields=", ".join(f.name(ctx.lang) for f in missing.fields))


def _village(ctx: Context, form: Form) -> str:
    return ctx.services.areas.get(form.village).name


def _buttons(ctx: Context) -> bool:
    caps = ctx.capabilities()
    return caps is None or caps.buttons


def _tag(ctx: Context, form: Form) -> str:
    """What each button of this question starts with: the form's owner (in a group only they
    may answer with it), the form and the question."""
    return f"form:{ctx.incoming.sender.id}#{form.id}.{form.step}"
