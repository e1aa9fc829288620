"""Chat Vietnamese spelled one way: the first step of reading a message for the rumour watch.

People type the same words many ways: without diacritics, in teencode ("vk đc lấy nhiều ck"),
with digits for numbers ("2 chồng", "con thứ 3"), with letters drawn out ("nhiềuuu"). `lex`
cuts a message into words (with where each came from and its sentence); `spell` reads each word
with its diacritics first (they tell "đừng" from "đúng", "chưa" from "chữa", "vợ" from "vô"),
then folds it and unifies chat spellings. `rewrite` replaces runs of words found in a `Runs`
table (the health words of one meaning, the phrases that deny) in one pass, longest first.

A hand-written table, not a library: underthesea and pyvi (weighed in bench/RESULTS.md) segment
words but leave teencode and digits as they are, and cost a second or more of start-up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.text import fold

NEG, DONT, CURE = "<khong>", "<dung>", "<chua>"

# Words, a question mark (it marks its sentence as a question), sentence and clause ends.
_LEX = re.compile(r"(?P<word>[^\W_]+)|(?P<ask>\?)|(?P<stop>[.!;…\n]+)|(?P<comma>[,:]+)")
_LETTER_DIGIT = re.compile(r"\d+|\D+")
_RUN = re.compile(r"([^\W\d_])\1+")  # a letter drawn out: "nhiềuuu", "vô sinhhh"
# Read before folding: diacritics tell these apart from words that fold the same.
_MARKED = {
    "không": NEG, "chẳng": NEG, "chả": NEG, "chưa": NEG, "hông": NEG, "hổng": NEG,
    "đừng": DONT, "chữa": CURE, "là": "", "có": "co", "cơ": "cơ", "đó": "", "đây": "",
    "đâu": "đâu", "đẻ": "sinh", "đứa": "con", "cưới": "lay", "cười": "cười", "bà": "bà",
    "vợ": "vo", "vô": "vô", "cũng": "", "lắm": "", "quá": "",
}  # fmt: skip
# Folded chat spellings: teencode and abbreviations ("" drops the word).
_FOLDED = {
    "ko": NEG, "k": NEG, "kg": NEG, "khg": NEG, "kh": NEG, "hok": NEG, "hem": NEG, "hk": NEG,
    "khum": NEG, "khong": NEG, "kong": NEG,
    "vk": "vo", "ck": "chong", "ckong": "chong", "cj": "chi", "e": "em", "ae": "anh em",
    "dc": "duoc", "dk": "duoc", "j": "gi", "bit": "biet", "bik": "biet", "bjk": "biet",
    "bjt": "biet", "mn": "moi nguoi", "mng": "moi nguoi", "ng": "nguoi", "ngta": "nguoi ta",
    "ntn": "nhu the nao", "vs": "voi", "r": "roi", "ru": "roi", "oy": "roi", "z": "vay",
    "v": "vay", "dzay": "vay", "zay": "vay", "cx": "", "nhiu": "nhieu", "thui": "thoi",
    "wa": "qua", "trc": "truoc", "bh": "bao gio", "ak": "a", "ah": "a", "hix": "",
    "qd": "quyet dinh", "cb": "can bo", "cbcc": "can bo", "cbccvc": "can bo", "bs": "bac si",
    "bv": "benh vien", "byt": "bo y te", "fb": "facebook", "ctv": "cong tac vien",
    "pn": "phu nu", "lun": "luon", "nhg": "nhung", "dua": "con", "cuoi": "lay",
    "vacxin": "vac xin", "vaccine": "vac xin", "vaccin": "vac xin", "vacin": "vac xin",
    "vacine": "vac xin", "vaxin": "vac xin", "vacsin": "vac xin", "vax": "vac xin",
}  # fmt: skip
_NUMBERS = {
    "1": "mot", "2": "hai", "3": "ba", "4": "bon", "5": "nam", "6": "sau", "7": "bay", "8": "tam",
    "9": "chin", "10": "muoi",
}  # fmt: skip


@dataclass(slots=True)
class Word:
    """One word on its way through reading: its spelling now, where it came from, its sentence."""

    text: str
    span: tuple[int, int]
    sentence: int
    clause: int = 0  # parts of a sentence between commas


@dataclass(frozen=True, slots=True)
class Cue:
    """A phrase that denies a claim (or asks about it), found where it stood."""

    kind: str  # see denials.CUES
    sentence: int


Item = Word | Cue


def lex(text: str) -> tuple[list[Word], set[int]]:
    """The words of `text` spelled one way, with their spans and sentences, and the sentences
    that end in a question mark."""
    out: list[Word] = []
    asks: set[int] = set()
    sentence = clause = 0
    for found in _LEX.finditer(unicodedata.normalize("NFC", text)):
        if found.lastgroup == "word":
            raw, start = found.group(), found.start()
            parts = [(raw, 0)] if raw.isalpha() else [
                (p.group(), p.start()) for p in _LETTER_DIGIT.finditer(raw)
            ]  # fmt: skip
            for part, at in parts:
                span = (start + at, start + at + len(part))
                out.extend(Word(w, span, sentence, clause) for w in spell(part))
            continue
        clause += 1
        if found.lastgroup == "comma":
            continue
        if found.lastgroup == "ask":
            asks.add(sentence)
        sentence += 1
    return out, asks


@lru_cache(maxsize=8192)
def spell(raw: str) -> tuple[str, ...]:
    """One raw word as matched words: drawn-out letters cut, read with its diacritics, folded,
    then chat spellings and digits unified (a word may become several, or none)."""
    word = _RUN.sub(r"\1", raw.casefold())
    marked = _MARKED.get(word)
    if marked is not None:
        return tuple(marked.split())
    folded = fold(word)
    if folded in _NUMBERS:
        return (_NUMBERS[folded],)
    return tuple(_FOLDED.get(folded, folded).split())


class Runs:
    """A table of runs of words and what replaces each (a string of words, "" for none, or a
    Cue), indexed by first word so that reading a message stays cheap."""

    def __init__(self, table: Mapping[tuple[str, ...], str | Cue]) -> None:
        self.table = dict(table)
        sizes: dict[str, set[int]] = {}
        for run in self.table:
            sizes.setdefault(run[0], set()).add(len(run))
        self.sizes = {word: tuple(sorted(s, reverse=True)) for word, s in sizes.items()}


def rewrite(items: Sequence[Item], runs: Runs) -> list[Item]:
    """Replace the runs of words found in `runs` (longest first, left to right, inside a
    sentence): by the words of a string (each new word spans the run), or by a Cue."""
    out: list[Item] = []
    i, n = 0, len(items)
    while i < n:
        item = items[i]
        sizes = runs.sizes.get(item.text) if isinstance(item, Word) else None
        taken = 0
        for size in sizes or ():
            run = items[i : i + size]
            if len(run) < size or any(
                not isinstance(w, Word) or w.sentence != item.sentence for w in run
            ):
                continue
            new = runs.table.get(tuple(w.text for w in run))  # type: ignore[union-attr]
            if new is None:
                continue
            assert isinstance(item, Word)
            last = run[-1]
            span = (item.span[0], last.span[1] if isinstance(last, Word) else item.span[1])
            if isinstance(new, Cue):
                out.append(Cue(new.kind, item.sentence))
            else:
                out.extend(Word(w, span, item.sentence, item.clause) for w in new.split())
            taken = size
            break
        if not taken:
            out.append(item)
        i += taken or 1
    return out
