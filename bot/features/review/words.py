"""The words an officer types instead of a reason to keep a returned report as it was."""

from __future__ import annotations

from bot.core.text import fold

# `/tralai 12 ok`, or «ok» to the question for a reason (folded).
ACCEPT_WORDS = frozenset(
    {"ok", "oke", "okay", "chap nhan", "chapnhan", "dong y", "giu nguyen", "dung roi", "khong sai"}
)


def is_acceptance(text: str) -> bool:
    """Whether `/tralai 12 ok` means: accept report 12 as it was."""
    return " ".join(fold(text).strip(" .!").split()) in ACCEPT_WORDS
