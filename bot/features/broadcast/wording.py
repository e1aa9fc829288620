"""Words every send to an area uses: a one-line excerpt of a message, and a list of names that
counts the rest ("and 12 more")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.i18n import Translator

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
