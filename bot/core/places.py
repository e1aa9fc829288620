"""Resolve what a person typed as a place (code or name, any diacritics) to one area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.core.errors import NotFound, UserError
from bot.core.models import Area
from bot.core.text import fold

if TYPE_CHECKING:
    from bot.core.areas import AreaTree

_PREFIXES = ("thon ", "xom ", "ban ", "to dan pho ", "khu pho ", "xa ", "phuong ", "thi tran ")
MAX_OPTIONS = 6


def _bare(name: str) -> str:
    folded = fold(name)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def candidates(areas: AreaTree, text: str, *, kinds: Iterable[str] | None = None) -> list[Area]:
    """Areas matching `text`, best first, optionally only of some kinds."""
    wanted = set(kinds) if kinds is not None else None
    return [a for a in areas.find(text) if wanted is None or a.kind in wanted]


def resolve(areas: AreaTree, text: str, *, kinds: Iterable[str] | None = None) -> Area:
    """The one area `text` names; NotFound, or UserError listing the options when ambiguous."""
    text = text.strip()
    if not text:
        raise UserError("area.missing")
    found = candidates(areas, text, kinds=kinds)
    if not found:
        raise NotFound("area.not_found", text=text)
    folded = fold(text)
    exact = [
        a
        for a in found
        if a.code == text or fold(a.name) == folded or _bare(a.name) == _bare(text)
    ]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    options = "\n".join(f"• {a.name} ({a.code})" for a in (exact or found)[:MAX_OPTIONS])
    raise UserError("area.ambiguous", text=text, options=options)
