"""A message as the rumour watch reads it: spelled one way (chat_words), with the denial and
question phrases marked (denials), the health words of one meaning unified (health_words), and
the fillers dropped."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.features.clarifications.chat_words import Cue, Runs, Word, lex, rewrite
from bot.features.clarifications.denials import find_cues
from bot.features.clarifications.health_words import WORDS

# Words that carry no claim of their own, dropped last (the phrases above may need them).
FILLERS = frozenset(
    "nghe noi bao don rang thi ma se da dang cac nhung mot cai nay day nhe nha a oi ha luon roi "
    "cua va voi cho ay ra duoc co nhen nhi vay the đâu cơ la ta".split()
)


_WORDS = Runs(WORDS)


@dataclass(frozen=True, slots=True)
class Words:
    """The words of a message, where each came from, its sentence, and the denial cues."""

    words: tuple[str, ...]
    sentence: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    cues: tuple[tuple[int, str, int], ...]  # (the word position it stands before, kind, sentence)
    questions: frozenset[int]

    def __len__(self) -> int:
        return len(self.words)

    def text_of(self, text: str, first: int, last: int) -> str:
        """The stretch of `text` (the one read) from word `first` to word `last`."""
        return unicodedata.normalize("NFC", text)[self.spans[first][0] : self.spans[last][1]]


def read(text: str) -> Words:
    lexed, asks = lex(text)
    items, questions = find_cues(lexed, asks)
    items = rewrite(items, _WORDS)
    words: list[Word] = []
    cues: list[tuple[int, str, int]] = []
    for item in items:
        if isinstance(item, Cue):
            cues.append((len(words), item.kind, item.sentence))
        elif item.text and item.text not in FILLERS:
            if words and words[-1].text == item.text:
                continue  # "đu đủ", "tiêm vắc xin" (both one thing): once
            words.append(item)
    return Words(
        tuple(w.text for w in words), tuple(w.sentence for w in words),
        tuple(w.span for w in words), tuple(cues), frozenset(questions),
    )  # fmt: skip


def tokens(text: str) -> list[str]:
    """The words of `text` as matched (for tests and the phrase check)."""
    return list(read(text).words)
