"""/nhatky (/audit): the most recent privileged actions, for admins, in private."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.router import Router
from bot.features.audit.text import MAX_LINES, wanted_lines

router = Router("audit")

ZALO_LIMIT = 2000  # the smallest text limit of the platforms, when the chat's is unknown


@router.command("nhatky", "audit", where="P", roles=(Role.ADMIN,))
async def audit(ctx: Context) -> list[Reply]:
    """`/nhatky [n]`: the newest n entries (20 by default, 100 at most), newest first."""
    limit = wanted_lines(ctx.args)
    if limit is None:
        raise UserError("audit.usage", max=MAX_LINES)
    caps = ctx.capabilities()
    size = caps.max_text if caps is not None else ZALO_LIMIT
    audit = ctx.services.audit
    entries = audit.log.recent(limit)
    return [Reply(part) for part in audit.text.parts(entries, ctx.lang, limit=size)]
