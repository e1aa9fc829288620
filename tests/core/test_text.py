"""Folding for matching and splitting long messages."""

from __future__ import annotations

import pytest

from bot.core.text import counted_length, fold, split_text


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Báo Cáo", "bao cao"),
        ("ĐÃ NHẬN", "da nhan"),
        ("  Chuyển   đến ", "chuyen den"),
        ("sinh\u200bcon", "sinhcon"),
        ("Thôn Trung Lương 1", "thon trung luong 1"),
        ("Xã Hương Sơn", "xa huong son"),
    ],
)
def test_fold_strips_case_diacritics_and_invisibles(raw: str, folded: str) -> None:
    """Folded text ignores case, Vietnamese diacritics, đ, extra spaces and zero-width marks."""
    assert fold(raw) == folded


def test_split_prefers_paragraph_then_line_then_word() -> None:
    """A long text is cut at the last paragraph or line break that keeps parts in the limit."""
    para = "a" * 60
    text = "\n\n".join([para, para, para])
    parts = split_text(text, 130)
    assert parts == [para + "\n\n" + para, para]
    lines = "\n".join(["b" * 40] * 5)
    assert split_text(lines, 100) == ["\n".join(["b" * 40] * 2)] * 2 + ["b" * 40]
    words = " ".join(["từ"] * 100)
    for part in split_text(words, 50):
        assert len(part) <= 50
        assert not part.startswith(" ") and not part.endswith(" ")
    assert " ".join(split_text(words, 50)) == words


def test_split_hard_cuts_a_word_longer_than_the_limit() -> None:
    """A single run with no break is cut at the limit and nothing is lost."""
    parts = split_text("x" * 250, 100)
    assert [len(p) for p in parts] == [100, 100, 50]


def test_split_by_counted_length_keeps_utf16_units_in_the_limit() -> None:
    """Measured by counted_length, an emoji counts twice and every part stays in the limit."""
    text = " ".join(["Thôn 3 🎉🎉"] * 30)
    assert counted_length("🎉a") == 3
    assert counted_length("ấ") == 1
    parts = split_text(text, 50, length=counted_length)
    assert all(counted_length(p) <= 50 for p in parts)
    assert " ".join(parts) == text
    assert split_text("🎉🎉", 1, length=counted_length) == ["🎉", "🎉"]
