"""How `/cuatoi` reads: each recent report with its short number and the time it was sent."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.periods import describe
from bot.features.reports.numbering import Listed, Mine
from bot.features.reports.text import value_text


def mine_text(ctx: Context, mine: Mine) -> Reply:
    """The list, newest first, and how to correct or retract one by its number."""
    if not mine.items:
        return ctx.reply("report.mine_none")
    lines = [ctx.t("report.mine_header", count=mine.total)]
    lines.extend(_line(ctx, item, mine) for item in mine.items)
    if mine.total > len(mine.items):
        lines.append(ctx.t("report.mine_more", count=mine.total - len(mine.items)))
    lines.append(ctx.t("report.mine_hint", example=mine.example))
    return Reply("\n".join(lines))


def _line(ctx: Context, item: Listed, mine: Mine) -> str:
    saved = item.saved
    report, rt = saved.report, saved.type
    known = {spec.code for spec in rt.fields}
    values = ", ".join(
        f"{rt.field(k).name(ctx.lang) if k in known else k} {value_text(v, ctx.lang)}"
        for k, v in report.values.items()
        if k != "ngay"
    )
    sent = item.sent_at
    time = f"{sent:%H:%M}" if sent.date() == mine.today else f"{sent:%H:%M %d/%m}"
    return ctx.t(
        "report.mine_line", number=report.number, time=time, type=rt.name(ctx.lang),
        village=saved.village.name, period=describe(report.period, ctx.lang), values=values,
    )  # fmt: skip
