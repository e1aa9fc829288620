"""A report sent without its command (`bc sinh 2`, `/bao cao sinh 2`): a short hint with the
exact message to send, instead of silence or "not understood"."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.router import Router
from bot.features.reports.grammar.hint import report_hint

router = Router("report_hint")


@router.misunderstood()
async def hint(ctx: Context) -> Reply | None:
    """Clearly a report: the message to send, or what to fix in it; anything else: None."""
    reports = ctx.services.reports
    try:
        types = reports.types
    except UserError:  # no report types in this deployment: nothing is a report
        return None
    found = report_hint(ctx.incoming.text, types=types, today=reports.today())
    if found is None:
        return None
    if found.problem is None:
        return ctx.reply("report.hint", message=found.message)
    problem = ctx.t(found.problem.key, **found.problem.params)
    return ctx.reply("report.hint_problem", problem=problem)
