"""Words every send to an area uses: a one-line excerpt of a message, a list of names that
counts the rest ("and 12 more"), and the reach a preview shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.features.broadcast.reach import ReachPreview

EXCERPT = 60  # characters of the directive quoted in status lines and chases
MAX_NAMES = 8  # names listed per line; the rest are counted


def excerpt(text: str, limit: int = EXCERPT) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def names(items: list[str], t: Translator, lang: str, limit: int = MAX_NAMES) -> str:
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += " " + t(lang, "directive.and_more", count=len(items) - limit)
    return shown


def reach_lines(
    t: Translator, lang: str, r: ReachPreview, *, kind: str, after_chats: Sequence[str] = ()
) -> list[str]:
    """A preview's reach: chats per platform (then `after_chats`), who is expected, who cannot
    be reached, and what each Zalo bot would spend; keyed `<kind>.preview_…`."""
    lines = [
        t(lang, f"{kind}.preview_reach", platform=platform.capitalize(),
          groups=r.groups.get(platform, 0), people=r.private.get(platform, 0))
        for platform in sorted(set(r.groups) | set(r.private))
    ]  # fmt: skip
    lines += after_chats
    lines.append(t(lang, f"{kind}.preview_expected", count=r.expected))
    if r.unreachable:
        lines.append(
            t(lang, f"{kind}.preview_unreachable", count=len(r.unreachable),
              names=names(r.unreachable, t, lang))
        )  # fmt: skip
    for bot, (cost, left) in sorted(r.costs.items()):
        lines.append(t(lang, "directive.preview_cost", bot=bot, cost=cost, left=left))
    return lines
