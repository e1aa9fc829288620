"""How field reports read in chat: the echo of a stored report (the form's questions are in
form_text.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.core.context import Context, Reply
from bot.core.messages import Button, SentRef
from bot.core.models import Report
from bot.core.periods import describe
from bot.features.reports.previous import carried
from bot.features.reports.service import Saved
from bot.features.reports.types import ReportType


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
    if saved.previous is not None and not report.retracted:
        lines += _changes(ctx, rt, saved.previous, report.values)
    for code, value in () if saved.previous else report.values.items():
        if code == "ngay":
            name = ctx.t("report.event_day")
        else:  # a field removed from config since keeps its value, shown by its code
            name = rt.field(code).name(ctx.lang) if code in known else code
        lines.append(f"• {name}: {value_text(value, ctx.lang)}")
    if report.photo:
        lines.append(ctx.t("report.photo_kept"))
    if report.late and not report.retracted:
        lines.append(ctx.t("report.late"))
    return Reply("\n".join(lines), buttons=_review_button(ctx, saved),
                 on_sent=_remember(ctx, report.number))  # fmt: skip


def was_now(ctx: Context, before: Mapping[str, Any], code: str, now: str) -> str:
    """"12 → 14": a value beside the previous period's (or "(trống)" if it had none)."""
    old = before.get(code)
    shown = ctx.t("report.previous_blank") if old is None else value_text(old, ctx.lang)
    return f"{shown} → {now}"


def _changes(ctx: Context, rt: ReportType, previous: Report, values: dict[str, Any]) -> list[str]:
    """A report started from the previous one: each change ("• Khám thai: 12 → 14"), then
    the values kept, on one line."""
    before = carried(rt, previous.values)
    lines, same = [], []
    for spec in rt.fields:
        code, name = spec.code, spec.name(ctx.lang)
        if code in values and before.get(code) == values[code]:
            same.append(f"{name} {value_text(values[code], ctx.lang)}")
        elif code in values or code in before:
            now = value_text(values[code], ctx.lang) if code in values else ctx.t(
                "report.previous_blank"
            )
            lines.append(f"• {name}: {was_now(ctx, before, code, now)}")
    if same:
        period = describe(previous.period, ctx.lang)
        lines.append(ctx.t("report.previous_same", period=period, values=", ".join(same)))
    return lines


def _review_button(ctx: Context, saved: Saved) -> tuple[tuple[Button, ...], ...]:
    """«Trả lại» under an echo in a group where buttons exist (Telegram): the officers reading
    the group send the report back with it (handlers/review.py asks them for the reason; on
    Zalo, and anywhere, `/tralai <n> <lý do>` does the same)."""
    report = saved.report
    caps = ctx.capabilities()
    if not ctx.is_group or caps is None or not caps.buttons or report.retracted:
        return ()
    if report.number <= 0:
        return ()
    label = ctx.t("review.return_button")
    return ((Button(label, f"tralai:{report.number}", typed=f"/tralai {report.number}"),),)


def _remember(ctx: Context, number: int) -> Callable[[SentRef], None]:
    """Once the echo is sent, remember that its message shows report `number`: a reply to it
    then means that report (bot.features.reports.echoes)."""

    def remember(sent: SentRef) -> None:
        echoes = ctx.services.reports.corrections.echoes
        echoes.remember(sent.chat.key, sent.message_ids, number)

    return remember

