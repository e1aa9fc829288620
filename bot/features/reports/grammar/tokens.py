"""The report grammar's lexer: segments cut at , ; | and new lines, then words and : = marks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import fold

# Between pairs; values of text, choice, yes/no and date fields also end here.
PAIR_SEPARATORS = ",;|\n\r"
VALUE_MARKS = frozenset({":", "="})
ZERO_WORDS = frozenset({"khong", "ko"})
# Numbers in words ("sinh hai") are refused as values, but they are values, not field names;
# the refusal's example shows the digits.
NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
# `thon <village>`; the other words name urban and hamlet villages the same way.
VILLAGE_WORDS = ("thon", "xom", "tdp", "to dan pho")
# Polite words around a report ("Dạ, em báo cáo: …, em cảm ơn ạ"), folded: no field, no value.
POLITE_WORDS = (
    "em bao cao", "em xin bao cao", "xin bao cao", "bao cao", "em gui bao cao", "em gui",
    "da", "a", "vang", "cam on", "em cam on", "xin cam on",
)  # fmt: skip
# A word's trailing full stop, ellipsis or exclamation ends a sentence ("Chết 1."), no more.
SENTENCE_ENDS = ".…!"
_COMMAND_ENDS = ":=,;|."
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
    start: int = 0  # where the segment's text starts in the message

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
    """The text without a leading `/baocao`, `/bc@SomeBot` or similar command word; the
    command may be glued to what follows by punctuation (`/bc: sinh 1`, `/bc,sinh 1`)."""
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return text
    end = 1
    while end < len(stripped) and not (stripped[end].isspace() or stripped[end] in _COMMAND_ENDS):
        end += 1
    return stripped[end:].lstrip(".")


def segments(text: str) -> list[Segment]:
    """The message cut at pair separators, each piece tokenized; empty pieces dropped."""
    out = []
    start = 0
    for piece in text.translate(_TO_NEWLINE).split("\n"):
        tokens = tuple(_tokens(piece))
        if tokens:
            out.append(Segment(piece, tokens, start))
        start += len(piece) + 1
    return out


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    start = -1
    for index, char in enumerate([*text, " "]):
        if char.isspace() or char in VALUE_MARKS or _stop_after_number(text, index):
            if start >= 0:
                _add_word(tokens, text, start, index)
                start = -1
            if char in VALUE_MARKS:
                tokens.append(Token(char, char, index, index + 1))
        elif start < 0:
            start = index
    return tokens


def _stop_after_number(text: str, index: int) -> bool:
    """A full stop between a number and a word ("Sinh 2.Chết 1") ends the number; in
    "2.5" it stays a (refused) decimal."""
    return (
        0 < index < len(text) - 1
        and text[index] == "."
        and text[index - 1].isdigit()
        and text[index + 1].isalpha()
    )


def _add_word(tokens: list[Token], text: str, start: int, end: int) -> None:
    """The word text[start:end] without the full stops that end a sentence after it."""
    while end > start and text[end - 1] in SENTENCE_ENDS:
        end -= 1
    if end > start:
        word = text[start:end]
        tokens.append(Token(word, fold(word), start, end))


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
