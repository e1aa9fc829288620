"""Does a chat message repeat a registered rumour? Read words, weighted phrase coverage, and
the sentence's structure for denials.

A message is read (`reading.read`: chat spellings, digits and health words of one meaning
unified, denial and question phrases marked). A phrase matches where most of its weight is found
close together in one sentence, in any order; a word counts fully next to a phrase neighbour,
UNBOUND elsewhere; the health words ("vô sinh", "cán bộ") weigh more than others, the words
that only link a claim ("gây", "làm") less. Then `denials.judge` says whether the message
repeats or asks (SURE), denies (DENIED), or cannot be told (UNSURE, also a match just short of
THRESHOLD: maybe a new wording); a message whose shape an officer marked "không phải tin đồn"
for that clarification is EXCEPTED.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.features.clarifications.chat_words import NEG
from bot.features.clarifications.denials import Verdict, judge
from bot.features.clarifications.health_words import CAUSE, CONCEPTS
from bot.features.clarifications.reading import Words, read, tokens

THRESHOLD = 0.7  # share of a phrase's weight found (a word out of place counts UNBOUND)
NEAR_MISS = 0.55  # to THRESHOLD, with every health word: maybe a new wording, officers asked
UNBOUND = 0.6  # a word present, but not near either of its neighbours in the phrase
NEAR = {1: 1.0, 2: 0.85, 3: 0.75}  # a word this far from a phrase neighbour
MIN_WORDS = 3  # a shorter phrase would match ordinary talk
SHAPE_SHARE = 0.75  # of an exception's words around the claim that a message must share
EXCEPTED = "excepted"

__all__ = ["THRESHOLD", "Match", "Rumour", "Shape", "Verdict", "best_match", "tokens", "usable"]


def weight(word: str) -> float:
    if word == CAUSE:
        return 0.5
    return 1.5 if word in CONCEPTS else 1.0


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A rumour phrase as it is matched (its negation too: "trẻ không cần tiêm nhắc lại")."""
    return read(phrase).words


def usable(phrase: str) -> bool:
    """Whether a phrase has enough words to be matched without catching ordinary talk."""
    return len(set(phrase_words(phrase))) >= MIN_WORDS


@dataclass(frozen=True, slots=True)
class Rumour:
    """One registered phrase of a clarification, already read."""

    key: int  # the clarification's number
    phrase: str
    words: tuple[str, ...]
    total: float = 0.0  # the weight of its words

    @classmethod
    def of(cls, key: int, phrase: str) -> Rumour:
        words = phrase_words(phrase)
        return cls(key, phrase, words, sum(weight(w) for w in set(words)))

    def needed(self, present: set[str] | frozenset[str]) -> float:
        """The weight to cover: a linking word ("gây", "làm") only when the message has one."""
        if CAUSE in self.words and CAUSE not in present:
            return self.total - weight(CAUSE)
        return self.total


@dataclass(frozen=True, slots=True)
class Shape:
    """A message an officer marked "không phải tin đồn" for clarification `key`: the words
    around its claim (its frame), or all its words when it was the bare claim. Stored as those
    words as read (folded, the claim left out of the frame), never as the message itself."""

    key: int
    frame: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, key: int, text: str, rumours: Iterable[Rumour]) -> Shape:
        w = read(text)
        found = _best(w, [r for r in rumours if r.key == key])
        frame = set(w.words)
        if found is not None:
            _, _, first, last = found
            frame = set(w.words[:first] + w.words[last + 1 :])
        return cls(key, frozenset(frame), frozenset(w.words))

    @classmethod
    def parse(cls, key: int, stored: str) -> Shape:
        frame, _, words = stored.partition("|")
        return cls(key, frozenset(frame.split()), frozenset(words.split()))

    def stored(self) -> str:
        return f"{' '.join(sorted(self.frame))} | {' '.join(sorted(self.words))}"

    def fits(self, w: Words, first: int, last: int) -> bool:
        if len(self.frame) >= 2:
            around = set(w.words[:first] + w.words[last + 1 :])
            return len(self.frame & around) >= SHAPE_SHARE * len(self.frame)
        mine = set(w.words)
        return len(mine & self.words) >= 0.9 * max(len(mine), len(self.words))


@dataclass(frozen=True, slots=True)
class Match:
    key: int
    phrase: str
    score: float
    verdict: str  # a Verdict, or EXCEPTED
    first: int = 0  # the claim: words[first..last] of the message as read
    last: int = 0


def best_match(
    text: str | Words, rumours: Iterable[Rumour], shapes: Iterable[Shape] = ()
) -> Match | None:
    """The registered phrase this message repeats best, with what the message does with it
    (repeats or asks, denies, unclear, or a shape an officer excepted); None: no phrase."""
    w = read(text) if isinstance(text, str) else text
    found = _best(w, rumours)
    if found is None:
        return None
    rumour, score, first, last = found
    if any(s.key == rumour.key and s.fits(w, first, last) for s in shapes):
        verdict = EXCEPTED
    else:
        verdict = judge(
            w.words, w.cues, w.sentence, w.questions, first, last, negated=NEG in rumour.words
        )  # fmt: skip
        if score < THRESHOLD and verdict is Verdict.SURE:
            verdict = Verdict.UNSURE
    return Match(rumour.key, rumour.phrase, round(score, 3), verdict, first, last)


def _best(w: Words, rumours: Iterable[Rumour]) -> tuple[Rumour, float, int, int] | None:
    if not w.words:
        return None
    present = set(w.words)
    best: tuple[Rumour, float, int, int] | None = None
    scored: dict[tuple[str, ...], tuple[float, int, int] | None] = {}  # phrases read alike
    for rumour in rumours:
        if rumour.words not in scored:
            scored[rumour.words] = _scored(rumour, w, present)
        found = scored[rumour.words]
        if found is None:
            continue
        score, first, last = found
        # The best score; of equal ones the tighter claim (a wider one may take in a denial).
        if best is None or (score, best[3] - best[2]) > (best[1], last - first):
            best = (rumour, score, first, last)
    return best


def _scored(rumour: Rumour, w: Words, present: set[str]) -> tuple[float, int, int] | None:
    shared = present.intersection(rumour.words)
    if len(shared) < 2 or len(set(rumour.words)) < MIN_WORDS:
        return None  # cheap tests first: most messages share little with a phrase
    if sum(weight(x) for x in shared) < NEAR_MISS * rumour.needed(present):
        return None
    score, first, last = phrase_score(rumour, w)
    near = _all_concepts(rumour.words, w.words[first : last + 1])
    return (score, first, last) if score >= (NEAR_MISS if near else THRESHOLD) else None


def phrase_score(rumour: Rumour, w: Words) -> tuple[float, int, int]:
    """The best score of a phrase over windows of one sentence of the message, with the claim's
    first and last word; of equal windows the last wins (its claim is the one said last)."""
    phrase = rumour.words
    wanted = set(phrase)
    limit = len(phrase) + max(4, len(phrase))
    best = (0.0, 0, 0)
    for start, word in enumerate(w.words):
        if word not in wanted:
            continue
        end = start
        while end < len(w) and end - start < limit and w.sentence[end] == w.sentence[start]:
            end += 1
        window = w.words[start:end]
        score, first, last = _window_score(phrase, window)
        score /= rumour.needed(set(window))
        if score >= best[0]:
            best = (score, start + first, start + last)
    return best


def _all_concepts(phrase: Sequence[str], claim: Sequence[str]) -> bool:
    """A near miss is worth asking about only when it holds every health word of the phrase
    (and the phrase has one): "sốt xuất huyết" alone is no new wording of a cure."""
    concepts = CONCEPTS.intersection(phrase)
    return bool(concepts) and concepts <= set(claim)


def _window_score(phrase: Sequence[str], window: Sequence[str]) -> tuple[float, int, int]:
    """Each phrase word found scores its weight next to a found phrase neighbour, less a word or
    two away (NEAR), UNBOUND times it elsewhere; with the first and last position found."""
    where: dict[str, int] = {}
    for i, x in enumerate(window):
        where.setdefault(x, i)
    found = [x for x in dict.fromkeys(phrase) if x in where]
    concepts = CONCEPTS.intersection(phrase)
    missing = len(concepts) - len(concepts.intersection(found))
    if len(found) < 2 or missing > (1 if len(concepts) >= 3 else 0):
        return 0.0, 0, 0  # the health words carry the claim: all of them, or all but one of 3
    if NEG in phrase and NEG not in where:
        return 0.0, 0, 0  # a rumour that is a negation ("không cần tiêm") needs it said
    total = 0.0
    for i, x in enumerate(found):
        neighbours = {found[j] for j in (i - 1, i + 1) if 0 <= j < len(found)}
        gaps = [abs(where[n] - where[x]) for n in neighbours]
        total += weight(x) * max((NEAR.get(g, UNBOUND) for g in gaps), default=UNBOUND)
    spots = [where[x] for x in found]
    return total, min(spots), max(spots)
