"""Zalo seats: spread evenly within caps, only over bots serving the area; invite codes."""

from __future__ import annotations

import re
from collections import Counter

from bot.core.areas import AreaTree
from bot.features.people.invites import ALPHABET, looks_like_code, new_code, normalize
from bot.features.people.zalo_seats import Seat, ZaloSeats
from tests.support.harness import AREAS

TREE = AreaTree.from_config(AREAS)


def test_evenly_within_caps_and_only_where_a_bot_serves() -> None:
    seats = ZaloSeats([Seat("z1", (), 50), Seat("z2", (), 50), Seat("z3", ("18115",), 50)], TREE)
    placed = [seats.place(i, "18133-01") for i in range(101)]
    assert Counter(placed) == {"z1": 50, "z2": 50, None: 1}  # z3 serves the other commune
    assert seats.place(1, "18133-01") == placed[1] == "z2"  # seated already: same bot
    assert seats.full_report("18133-01") == "z1 50/50, z2 50/50"
    spread = ZaloSeats([Seat(n, (), 50) for n in ("a", "b", "c")], TREE)
    assert sorted(Counter(spread.place(i, "18115-01") for i in range(140)).values()) == [
        46,
        47,
        47,
    ]


def test_codes_are_unambiguous_and_told_apart_from_words() -> None:
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(f"[{ALPHABET}]{{8}}", c) for c in codes)
    assert all(looks_like_code(c.lower()) for c in codes)
    assert not looks_like_code("danhsach") and not looks_like_code("12345678")
    assert looks_like_code("k7p2 xm4q") and normalize(" k7p2-xm4q ") == "K7P2XM4Q"
