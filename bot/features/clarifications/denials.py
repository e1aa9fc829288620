"""Is a message repeating a rumour, asking about it, or denying it? Read from its structure.

A denial is a phrase whose negation reaches over the rumour's claim: before it in the same
sentence ("không có chuyện …", "làm gì có …", "đừng tin … bảo …", "không có nghĩa là …"), after
it ("… là hiểu sai", "… là tin đồn thất thiệt", "… toàn bịa đặt", "… nhảm"), or a "không" inside
the claim itself ("vắc xin không gây vô sinh"). A question is not a denial: "có thật là …
không", "… phải không", "… không?" ask, and the clarification answers them. When the signs
disagree or are weak ("có tin đồn là …", a denial said as a question), the watch is unsure: it
tells the officers privately and does not answer in the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.features.clarifications.chat_words import DONT, NEG, Cue, Item, Runs, Word, rewrite
from bot.features.clarifications.health_words import ASKED_WITH_NEG

PRE, POST, BOTH, WEAK_POST, NONE = "pre", "post", "both", "weak-post", ""
RUMOUR_WORD = "rumour-word"  # "tin đồn": before a claim it may tell or warn; after it, it judges


class Verdict(StrEnum):
    SURE = "sure"  # a repetition or a question: answer in the group, tell the officers
    UNSURE = "unsure"  # tell the officers privately, do not answer
    DENIED = "denied"  # someone denying the rumour: nothing


def _cues(kind: str, runs: str) -> dict[tuple[str, ...], str]:
    """`runs`: runs of words separated by ";" (NEG, DONT stand for "không", "đừng")."""
    return {
        tuple(run.replace("NEG", NEG).replace("DONT", DONT).split()): kind
        for run in runs.split(";")
    }


# Runs of spelled words (see chat_words.spell: "có" is "co", "là" is gone) and how far they
# reach: PRE over what follows in its sentence, POST over what came before, BOTH either way.
CUES: dict[tuple[str, ...], str] = {
    **_cues(
        PRE,
        "NEG co chuyen; NEG chuyen; lam gi co chuyen; lam gi co; lam gi; đâu co chuyen; "
        "đâu co; đâu phai; NEG phai; chu NEG phai; NEG he; NEG he co; NEG bao gio; "
        "NEG co nghia; NEG nghia; lam sao co; lam sao; sao co the; NEG co van ban nao; "
        "NEG co luat nao; NEG co quy dinh nao; NEG ai noi; NEG bao gio co",
    ),
    **_cues(
        POST,
        "sai; sai roi; sai bet; NEG dung; NEG dung dau; NEG co that; NEG phai vay; "
        "NEG phai the; NEG chinh xac; chua chinh xac; lam gi co; NEG co dau; đâu ma; "
        "hieu sai; hieu nham; chi tin don; la tin don",
    ),
    **_cues(
        BOTH,
        "sai su that; NEG dung su that; tin don that thiet; that thiet; bia dat; bia; "
        "bia ca; nham; nham nhi; don nham; chuyen nham; vo van; tao lao; xao; ba xao; "
        "xam; tin gia; tin vit; fake; vo can cu; NEG co co so; NEG co cơ so; "
        "NEG co can cu; NEG co bang chung; bac bo; dinh chinh; DONT tin; DONT co tin; "
        "DONT nghe; DONT hieu nham; DONT hieu sai; DONT hieu lam; DONT share; "
        "DONT chia se; DONT lan truyen; DONT so; DONT lo; DONT hoang mang; dung tin; "
        "dung co tin; dung nghe; dung share; dung chia se; dung lan truyen; "
        "dung hieu nham; dung hieu sai; dung lo; dung so; tin nham; toan bia; "
        "toan bia dat; thong tin sai",
    ),
    **_cues(RUMOUR_WORD, "co tin don; tin don"),
    **_cues(NONE, "NEG phai tin don; NEG biet; NEG hieu sao; NEG hieu"),
}
_FINAL_DAU = "!dau"
_TABLE = Runs({key: Cue(kind, -1) for key, kind in {**CUES, (_FINAL_DAU,): WEAK_POST}.items()})

# Words that may close a sentence after its question word ("… không mọi người ơi?").
_TAIL = frozenset(
    "a ah nhe nha vay the chi anh em ban chu bac me oi moi nguoi ca nha cac ha "
    "<canbo> can bo si y te ta".split()
)  # fmt: skip
_ASKING_END = frozenset((NEG, "ha", "a", "nhi", "chang", "sao"))
_ASKING_START = (
    ("co", "that"), ("co", "phai"), ("co", "dung"), ("lieu",), ("phai", NEG), ("dung", NEG),
    ("that", NEG), ("that", "ha"), ("that", "a"), ("hay", "sao"),
)  # fmt: skip
_WHERE = frozenset(("o", "nghe", "tu", "cho", "noi", "den", "di", "ve"))


def find_cues(words: list[Word], asks: set[int]) -> tuple[list[Item], set[int]]:
    """The words with the denial phrases replaced by cues, and the sentences that ask. The
    "không" that closes a question ("… không?", "… ko mn", "… có sao ko vậy, …") is taken
    away: it asks, not denies."""
    questions = set(asks)
    kept: list[Word] = []
    for clause in sorted({w.clause for w in words}):
        in_it = [w for w in words if w.clause == clause]
        texts = [w.text for w in in_it]
        end = len(texts)
        while end > 0 and texts[end - 1] in _TAIL:
            end -= 1
        asking = any(_has(texts, run) for run in _ASKING_START)
        if end and len(texts) > 1 and texts[end - 1] in _ASKING_END:
            asking = True
            if texts[end - 1] == NEG:
                asked = next((r for r in ASKED_WITH_NEG if _ends(texts, end - 1, r)), ())
                at = end - 1 - len(asked)  # "có con được không?" asks "không có con được?"
                in_it = [*in_it[:at], in_it[end - 1], *in_it[at : end - 1], *in_it[end:]]
                if not asked:
                    del in_it[at]
        elif end and texts[end - 1] == "đâu" and not _where(texts, end) and NEG not in texts:
            # "… đâu": a denial, though a weak sign alone; after a "không" in its clause it
            # only stresses that ("không bị kỷ luật nữa đâu", "không có con được đâu").
            last = in_it[end - 1]
            in_it[end - 1] = Word(_FINAL_DAU, last.span, last.sentence, last.clause)
        if asking:
            questions.add(in_it[0].sentence)
        kept += in_it
    items = rewrite(kept, _TABLE)
    return [i for i in items if not (isinstance(i, Cue) and i.kind == NONE)], questions


def _ends(texts: Sequence[str], end: int, run: tuple[str, ...]) -> bool:
    return end >= len(run) and tuple(texts[end - len(run) : end]) == run


def _has(texts: Sequence[str], run: tuple[str, ...]) -> bool:
    return f" {' '.join(run)} " in f" {' '.join(texts)} "


def _where(texts: Sequence[str], end: int) -> bool:
    """`… ở đâu`, `nghe đâu`: "đâu" asking where, not denying."""
    return texts[end - 1] == "đâu" and end > 1 and texts[end - 2] in _WHERE


def judge(
    words: Sequence[str],
    cues: Sequence[tuple[int, str, int]],
    sentences: Sequence[int],
    questions: frozenset[int],
    first: int,
    last: int,
    *,
    negated: bool,
) -> Verdict:
    """What the claim found at words[first..last] is: repeated (or asked), denied, or unclear.
    `cues`: (the word position it stands before, its kind, its sentence)."""
    near = words[max(0, first - 2) : last + 1]
    if not negated and NEG in near:
        return Verdict.DENIED  # "vắc xin không gây vô sinh"
    sentence = sentences[first]
    unsure = False
    for pos, kind, where in cues:
        before, after = pos <= first, pos > last
        asked = where in questions
        if not before and not after and kind in (PRE, POST, BOTH):
            return Verdict.DENIED  # inside the claim
        if kind in (PRE, BOTH) and before:
            if where == sentence:
                return Verdict.DENIED
            unsure = True  # a denial in an earlier sentence: maybe of something else
        elif kind == PRE and where == sentence:
            unsure = True  # "X, không có chuyện Y": it may deny the claim, or only Y
        elif kind in (POST, BOTH) and after:
            if not asked:
                return Verdict.DENIED
            unsure = True  # "… là tin giả à?": asking whether it is false
        elif kind == RUMOUR_WORD and before and where == sentence and sentence not in questions:
            unsure = True  # "có tin đồn là …": telling of it, or warning against it
        elif kind == RUMOUR_WORD and after and not asked:
            return Verdict.DENIED  # "… là tin đồn" ("… là tin đồn hay thật?" asks)
        elif kind == WEAK_POST and after and pos <= last + 3 and not asked:
            unsure = True  # "… đâu": a denial, or "không … nữa đâu" said of the claim itself
    return Verdict.UNSURE if unsure else Verdict.SURE
