"""The rumour matcher as it was before issue #22, kept unchanged as the benchmark's anchor.

bench/rumours.py runs it and the current matcher on the same labelled set in the same run, so
the "before" column of bench/RESULTS.md can be reproduced. Not imported by the bot.

Its docstring then: does a chat message repeat a registered rumour? Folded tokens,
order-tolerant phrase coverage.

People write the same rumour many ways: without diacritics, in another order, with chat
spellings ("vacxin", "ko"), inside a longer message, or as a question. A phrase matches when
most of its words occur close together in the message, with Vietnamese compound words
("vắc xin", "vô sinh") counting fully only when their syllables stand side by side. A message
that denies the rumour ("không gây", "tin đồn sai") is not a sighting of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.text import fold

THRESHOLD = 0.7  # share of a phrase's words found (a word out of place counts UNBOUND)
UNBOUND = 0.6  # a word present, but not next to either of its neighbours in the phrase
MIN_WORDS = 3  # a shorter phrase would match ordinary talk
BEFORE = 2  # a negation this many words before the match still denies it
CAUSE, CURE, NEG = "<gay>", "<chua>", "<khong>"

_WORD = re.compile(r"[^\W_]+")
# Read before folding: diacritics tell "chưa" (not yet) from "chữa" (cure), "là" from "lá".
_MARKED = {
    "không": NEG, "chẳng": NEG, "chả": NEG, "chưa": NEG, "hông": NEG, "là": "",
    "chữa": CURE, "trị": CURE, "khỏi": CURE,
}  # fmt: skip
# Folded chat spellings and words of one meaning ("" drops a filler word).
_FOLDED = {
    "khong": NEG, "ko": NEG, "k": NEG, "kg": NEG, "khg": NEG, "hok": NEG, "hem": NEG,
    "gay": CAUSE, "lam": CAUSE, "bi": CAUSE, "khien": CAUSE, "do": CAUSE, "vi": CAUSE,
    "chua": CURE, "tri": CURE, "khoi": CURE,
    "dc": "duoc", "j": "gi", "vs": "voi",
    "vacxin": "vac xin", "vaccine": "vac xin", "vaccin": "vac xin", "vacin": "vac xin",
    "vaxin": "vac xin", "vacsin": "vac xin",
    "nghe": "", "noi": "", "bao": "", "don": "", "rang": "", "thi": "", "ma": "", "se": "",
    "da": "", "dang": "", "cac": "", "nhung": "", "mot": "", "cai": "", "nay": "", "day": "",
    "nhe": "", "nha": "", "a": "", "oi": "", "ha": "", "luon": "", "roi": "", "cua": "",
    "va": "", "voi": "", "cho": "", "ay": "", "ra": "", "duoc": "", "co": "",
}  # fmt: skip
# Two words of one meaning, read after the single words ("dẫn đến", "điều trị").
_PAIRS = {("dan", "den"): CAUSE, ("dieu", CURE): CURE}
# Someone repeating the clarification, not the rumour: the message is no sighting.
_DENIAL_TEXTS = (
    "sai sự thật", "tin sai", "tin giả", "tin đồn sai", "bác bỏ", "đính chính", "không đúng",
    "không có cơ sở", "không có căn cứ", "chưa được chứng minh", "không phải sự thật",
    "hoàn toàn sai", "không hề", "fake",
)  # fmt: skip


def tokens(text: str) -> list[str]:
    """The words of `text` for matching: folded, chat spellings and synonyms unified, fillers
    dropped, a word repeated right after itself kept once ("đu đủ" → "du")."""
    words: list[str] = []
    nfc = unicodedata.normalize("NFC", text.casefold())
    for raw in _WORD.findall(nfc):
        marked = _MARKED.get(raw)
        mapped = marked if marked is not None else _FOLDED.get(fold(raw), fold(raw))
        words += mapped.split()
    merged: list[str] = []
    for word in words:
        pair = (merged[-1], word) if merged else None
        if pair in _PAIRS:
            merged[-1] = _PAIRS[pair]
        elif not merged or merged[-1] != word:
            merged.append(word)
    return [w for i, w in enumerate(merged) if i == 0 or merged[i - 1] != w]


_DENIALS = tuple(tokens(d) for d in _DENIAL_TEXTS)


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A rumour phrase as it is matched (its negation too: "trẻ không cần tiêm nhắc lại")."""
    return tuple(tokens(phrase))


def usable(phrase: str) -> bool:
    """Whether a phrase has enough words to be matched without catching ordinary talk."""
    return len(set(phrase_words(phrase))) >= MIN_WORDS


@dataclass(frozen=True, slots=True)
class Rumour:
    """One registered phrase of a clarification, already split into words."""

    key: int  # the clarification's number
    phrase: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, key: int, phrase: str) -> Rumour:
        return cls(key, phrase, phrase_words(phrase))


@dataclass(frozen=True, slots=True)
class Match:
    key: int
    phrase: str
    score: float


def denies(words: Sequence[str]) -> bool:
    """Whether the message denies a rumour in so many words ("tin đồn sai", "bác bỏ")."""
    joined = f" {' '.join(words)} "
    return any(f" {' '.join(d)} " in joined for d in _DENIALS)


def best_match(text: str, rumours: Iterable[Rumour]) -> Match | None:
    """The registered phrase this message repeats best, or None."""
    words = tokens(text)
    if not words:
        return None
    present = set(words)
    best: Match | None = None
    denied: bool | None = None
    for rumour in rumours:
        wanted = set(rumour.words)
        if len(wanted) < MIN_WORDS or len(wanted & present) < THRESHOLD * len(wanted):
            continue  # cheap test first: most messages share few words with a phrase
        score = phrase_score(rumour.words, words)
        if score < THRESHOLD or (best is not None and score <= best.score):
            continue
        if denied is None:
            denied = denies(words)
        if denied:
            return None
        best = Match(rumour.key, rumour.phrase, round(score, 3))
    return best


def phrase_score(phrase: Sequence[str], words: Sequence[str]) -> float:
    """The best score of `phrase` over windows of the message that carry no negation (or, for
    a rumour that is itself a negation, windows that do)."""
    limit = len(phrase) + max(4, len(phrase))
    wanted = set(phrase)
    negated = NEG in wanted
    starts = [i for i, w in enumerate(words) if w in wanted]
    best = 0.0
    for start in starts:
        window = words[start : start + limit]
        score, first, last = _window_score(phrase, window)
        if score <= best:
            continue
        lo = max(0, start + first - BEFORE)
        if (NEG in words[lo : start + last + 1]) != negated:
            continue
        best = score
    return best


def _window_score(phrase: Sequence[str], window: Sequence[str]) -> tuple[float, int, int]:
    """Each phrase word found scores 1 next to a phrase neighbour, UNBOUND elsewhere."""
    where: dict[str, list[int]] = {}
    for i, w in enumerate(window):
        where.setdefault(w, []).append(i)
    total = 0.0
    found: list[int] = []
    for i, word in enumerate(phrase):
        spots = where.get(word)
        if not spots:
            continue
        found += spots
        neighbours = {phrase[j] for j in (i - 1, i + 1) if 0 <= j < len(phrase)}
        bound = any(
            window[k] in neighbours for s in spots for k in (s - 1, s + 1) if 0 <= k < len(window)
        )
        total += 1.0 if bound else UNBOUND
    if not found:
        return 0.0, 0, 0
    return total / len(phrase), min(found), max(found)
