"""Text helpers: fold Vietnamese diacritics and case for matching; split long text cleanly."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACES = re.compile(r"\s+")
# Zero-width and bidi control characters that phones insert and that would break matching.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"), None
)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d too) and squeeze white space, for matching only."""
    text = text.translate(_INVISIBLE).replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def counted_length(text: str) -> int:
    """A length no platform counts as more: the larger of code points and UTF-16 units (an
    emoji is one code point but two UTF-16 units), for limits whose unit is not documented."""
    return max(len(text), len(text.encode("utf-16-le")) // 2)


def split_text(text: str, limit: int, *, length: Callable[[str], int] = len) -> list[str]:
    """Split `text` into parts of at most `limit`, measured by `length` (code points unless
    told, e.g. `counted_length`).

    Cuts at a paragraph break if one lies in the second half of the window, else at a line
    break, else at a space, else hard; never returns an empty part.
    """
    if limit < 1:
        msg = "limit must be positive"
        raise ValueError(msg)
    parts: list[str] = []
    rest = text.strip()
    while length(rest) > limit:
        end = _fits(rest, limit, length)
        window = rest[: end + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep, 0, end + 1)
            if pos >= end // 2:
                cut = pos
                break
        if cut <= 0:
            cut = end
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            parts.append(head)
    if rest:
        parts.append(rest)
    return parts or [""]


def _fits(text: str, limit: int, length: Callable[[str], int]) -> int:
    """The most characters of `text` whose `length` stays within `limit` (at least one, so a
    split always moves on)."""
    if length is len:
        return limit
    low, high = 1, min(len(text), limit)
    while low < high:
        mid = (low + high + 1) // 2
        if length(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low
