"""The report grammar's lexer: segments cut at , ; | and new lines, then words and : = marks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import fold

# Between pairs; values of text, choice, yes/no and date fields also end here.
PAIR_SEPARATORS = ",;|\n\r"
VALUE_MARKS = frozenset({":", "="})
ZERO_WORDS = frozenset({"khong", "ko"})
# Numbers in words ("sinh hai") are refused as values, but they are values, not field names.
NUMBER_WORDS = frozenset(
    {"mot", "hai", "ba", "bon", "tu", "nam", "sau", "bay", "tam", "chin", "muoi"}
)
# `thon <village>`; the other words name urban and hamlet villages the same way.
VILLAGE_WORDS = ("thon", "xom", "tdp", "to dan pho")
_TO_NEWLINE = str.maketrans(dict.fromkeys(PAIR_SEPARATORS, "\n"))


@dataclass(frozen=True, slots=True)
class Token:
    """A word, or a `:`/`=` mark, with its place in the segment."""

    raw: str
    folded: str
    start: int
    end: int

    @property
    def is_mark(self) -> bool:
        return self.raw in VALUE_MARKS


@dataclass(frozen=True, slots=True)
class Segment:
    """The text between two pair separators, and its tokens."""

    text: str
    tokens: tuple[Token, ...]

    def words(self, index: int) -> list[str]:
        """The folded words from `index` up to the next mark (field names never cross one)."""
        out: list[str] = []
        for token in self.tokens[index:]:
            if token.is_mark:
                break
            out.append(token.folded)
        return out

    def folded(self, index: int) -> list[str]:
        """Every folded token from `index`, marks included."""
        return [t.folded for t in self.tokens[index:]]

    def rest(self, index: int) -> str:
        """The raw text from token `index` to the segment's end: a text-like value."""
        if index >= len(self.tokens):
            return ""
        return self.text[self.tokens[index].start :].strip()

    def span(self, first: int, last: int) -> str:
        """The raw text of tokens first..last (inclusive), as typed."""
        return self.text[self.tokens[first].start : self.tokens[last].end]


def strip_command(text: str) -> str:
    """The text without a leading `/baocao`, `/bc@SomeBot` or similar command word."""
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return text
    end = 0
    while end < len(stripped) and not stripped[end].isspace() and stripped[end] not in ":=,;|":
        end += 1
    return stripped[end:]


def segments(text: str) -> list[Segment]:
    """The message cut at pair separators, each piece tokenized; empty pieces dropped."""
    out = []
    for piece in text.translate(_TO_NEWLINE).split("\n"):
        tokens = tuple(_tokens(piece))
        if tokens:
            out.append(Segment(piece, tokens))
    return out


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    start = -1
    for index, char in enumerate([*text, " "]):
        if char.isspace() or char in VALUE_MARKS:
            if start >= 0:
                word = text[start:index]
                tokens.append(Token(word, fold(word), start, index))
                start = -1
            if char in VALUE_MARKS:
                tokens.append(Token(char, char, index, index + 1))
        elif start < 0:
            start = index
    return tokens


MAX_DIGITS = 18


def number_value(folded: str) -> int | None:
    """A whole number ≥ 0 as typed (`0`, `02`, `không`), or None."""
    if folded in ZERO_WORDS:
        return 0
    if folded.isascii() and folded.isdigit():
        # Past 18 digits no count is real; Python also refuses int() of 4,300 digits or more.
        digits = folded.lstrip("0") or "0"
        return int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS
    return None


def looks_numeric(folded: str) -> bool:
    """Starts like a number (`-1`, `2.5`, `3kg`): a bad value rather than a field name."""
    head = folded.lstrip("+-")
    return bool(head) and head[0].isascii() and head[0].isdigit()
