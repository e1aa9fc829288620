"""The /chithi syntax: target before ':' or a new line, text, and a trailing deadline."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import UserError
from bot.features.directives.grammar import MAX_TEXT, parse_directive

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "targets", "text", "deadline"),
    [
        (
            "all: Họp giao ban dân số lúc 8:00 thứ Hai tại trạm y tế xã. han 30/11",
            (),
            "Họp giao ban dân số lúc 8:00 thứ Hai tại trạm y tế xã.",
            date(2026, 11, 30),
        ),
        (
            "Xuân Lĩnh, Xuân Hội: Rà soát phụ nữ mang thai trong tháng 12.",
            ("Xuân Lĩnh", "Xuân Hội"),
            "Rà soát phụ nữ mang thai trong tháng 12.",
            None,
        ),
        ("tất cả\nHọp lúc 8:00. Hạn: 05/01", (), "Họp lúc 8:00.", date(2027, 1, 5)),
        ("ALL: Họp (hạn chót 3-12)", (), "Họp", date(2026, 12, 3)),
        ("all: Họp.HẠN 3/12/2026", (), "Họp.", date(2026, 12, 3)),
        ("18133: Họp, han 24/11/26", ("18133",), "Họp", date(2026, 11, 24)),
        # "hạn" inside the text is not a deadline unless a date ends the message.
        (
            "all: Gia hạn nộp báo cáo đến cuối tháng",
            (),
            "Gia hạn nộp báo cáo đến cuối tháng",
            None,
        ),
    ],
)
def test_parts(typed: str, targets: tuple[str, ...], text: str, deadline: date | None) -> None:
    parsed = parse_directive(typed, today=TODAY)
    assert (parsed.targets, parsed.text, parsed.deadline) == (targets, text, deadline)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Họp giao ban", "directive.usage"),
        (": Họp giao ban", "directive.usage"),
        (" , : Họp", "directive.usage"),
        ("all:", "directive.no_text"),
        ("all: han 30/11", "directive.no_text"),
        ("all: Họp han 31/02", "directive.bad_deadline"),
        ("all: Họp han 1/1/2025", "directive.past_deadline"),
        ("all: " + "x" * (MAX_TEXT + 1), "directive.too_long"),
    ],
)
def test_refusals_name_the_problem(typed: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_directive(typed, today=TODAY)
    assert refused.value.key == key
