"""The rumour matcher over the labelled set of bench/data (issue #22): the goals hold, so a
regression fails here before it reaches a group. bench/rumours.py prints the same figures per
split, before and after, with the watch's cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.features.clarifications.rumour_match import Rumour, Verdict, best_match

DATA = Path(__file__).resolve().parents[3] / "bench" / "data"
GOAL = 0.95


def _load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    clarifications = json.loads((DATA / "rumour_clarifications.json").read_text("utf-8"))
    rows = [json.loads(line) for line in (DATA / "rumours.jsonl").read_text("utf-8").splitlines()]
    return clarifications, rows


CLARIFICATIONS, ROWS = _load()
KEYS = [c["key"] for c in CLARIFICATIONS]
RUMOURS = [Rumour.of(i, p) for i, c in enumerate(CLARIFICATIONS) for p in c["phrases"]]


def _outcome(rows: list[dict[str, Any]]) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Per clarification (precision, recall) of answers in the group, and what went wrong."""
    tp = dict.fromkeys(KEYS, 0)
    fp, fn = dict(tp), dict(tp)
    wrong: list[str] = []
    for row in rows:
        found = best_match(row["text"], RUMOURS)
        sure = found is not None and found.verdict == Verdict.SURE
        got = KEYS[found.key] if found is not None and sure else None
        want = row["rumour"] if row["kind"] in ("repeat", "question") else None
        if row["kind"] == "unrelated" and found and found.verdict in ("sure", "unsure"):
            wrong.append(f"UNRELATED ALERTED ({found.verdict}): {row['text']}")
        if got is not None and got == want:
            tp[got] += 1
            continue
        if got is not None:
            fp[got] += 1
        if want is not None:
            fn[want] += 1
        wrong.append(f"{row['kind']} {want} got {got} {found and found.verdict}: {row['text']}")
    per = {k: (tp[k] / ((tp[k] + fp[k]) or 1), tp[k] / ((tp[k] + fn[k]) or 1)) for k in KEYS}
    return per, wrong


def test_the_set_is_as_described() -> None:
    """At least 200 messages; every clarification with repetitions, questions, denials and
    unrelated talk; the issue's own examples among them; a held-out part."""
    assert len(ROWS) >= 200 and len(CLARIFICATIONS) >= 4
    for key in KEYS:
        kinds = {r["kind"] for r in ROWS if r["rumour"] == key}
        assert kinds == {"repeat", "question", "denial", "unrelated"}, key
    texts = {r["text"] for r in ROWS}
    assert {"vk đc lấy nhiều ck", "Làm gì có chuyện vk đc lấy nhiều ck, toàn tin vớ vẩn"} <= texts
    assert {r["split"] for r in ROWS} == {"tune", "held", "held2"}


def test_goals_on_the_whole_set() -> None:
    """Precision and recall of every clarification ≥ 0.95; no unrelated message alerted."""
    per, wrong = _outcome(ROWS)
    print("\n" + "\n".join(f"{k}: P {p:.2f} R {r:.2f}" for k, (p, r) in per.items()))
    print("\n".join(wrong))
    assert all(p >= GOAL and r >= GOAL for p, r in per.values()), (per, wrong)
    assert not [w for w in wrong if w.startswith("UNRELATED")], wrong


def test_the_part_never_tuned_on() -> None:
    """held2 was written after the matcher was tuned and is small (5 to 11 messages a
    clarification): no wrong answer and no unrelated alert; at most one repetition a
    clarification left to the officers."""
    per, wrong = _outcome([r for r in ROWS if r["split"] == "held2"])
    assert all(p == 1.0 and r >= 0.8 for p, r in per.values()), (per, wrong)
    assert not [w for w in wrong if w.startswith("UNRELATED")], wrong
