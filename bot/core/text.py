"""Text helpers: fold Vietnamese diacritics and case for matching; split long text cleanly."""

from __future__ import annotations

import re
import unicodedata

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


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters.

    Cuts at a paragraph break if one lies in the second half of the window, else at a line
    break, else at a space, else hard; never returns an empty part.
    """
    if limit < 1:
        msg = "limit must be positive"
        raise ValueError(msg)
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep, 0, limit + 1)
            if pos >= limit // 2:
                cut = pos
                break
        if cut <= 0:
            cut = limit
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            parts.append(head)
    if rest:
        parts.append(rest)
    return parts or [""]
