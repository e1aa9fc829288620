"""Report periods: keys, containing periods, period words, deadlines and wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.periods import (
    PERIOD_KINDS,
    Period,
    PeriodError,
    PeriodKind,
    accepts,
    closing_day,
    current_period,
    deadline,
    describe,
    is_late,
    match_period_words,
    parse_key,
    period_forms,
    period_of,
)

TODAY = date(2026, 11, 24)  # Tuesday, ISO week 48


@dataclass(frozen=True)
class Sched:
    period: PeriodKind = "month"
    deadline_days: int = 5
    accept_late_days: int | None = 10


@pytest.mark.parametrize(
    ("kind", "day", "key", "start", "end"),
    [
        ("day", date(2026, 11, 24), "2026-11-24", date(2026, 11, 24), date(2026, 11, 24)),
        ("week", date(2026, 11, 24), "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        ("week", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("week", date(2025, 12, 31), "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("month", date(2026, 2, 14), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("month", date(2028, 2, 14), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("quarter", date(2026, 11, 24), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("quarter", date(2026, 1, 1), "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_period_of_gives_key_start_and_end(
    kind: PeriodKind, day: date, key: str, start: date, end: date
) -> None:
    """The period holding a day has the expected key (ISO weeks at year ends) and bounds."""
    period = period_of(kind, day)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert parse_key(key) == period


@given(st.sampled_from(PERIOD_KINDS), st.dates(min_value=date(2000, 1, 1)))
def test_keys_round_trip_and_periods_tile_the_calendar(kind: PeriodKind, day: date) -> None:
    """Any period parses back from its key, holds its day, and meets its neighbours."""
    period = period_of(kind, day)
    assert parse_key(period.key) == period
    assert period.contains(day)
    assert (period.next().start - period.end).days == 1
    assert period.previous().next() == period


@pytest.mark.parametrize("key", ["2026", "2026-13", "2026-W54", "2026-Q5", "2026-11-31", "x"])
def test_parse_key_refuses_what_is_no_period(key: str) -> None:
    """Malformed or impossible keys raise ValueError."""
    with pytest.raises(ValueError, match="not a period key"):
        parse_key(key)


def test_current_period_follows_the_type() -> None:
    """The current period is the one of the type's kind that holds today."""
    assert current_period(Sched(period="week"), TODAY).key == "2026-W48"
    assert current_period(Sched(period="day"), TODAY).key == "2026-11-24"


def test_deadline_late_and_window() -> None:
    """Deadline D days after the period ends; late after it; refused after the late window."""
    sched = Sched(deadline_days=5, accept_late_days=10)
    assert deadline(sched, "2026-10") == date(2026, 11, 5)
    assert not is_late(sched, "2026-10", date(2026, 11, 5))
    assert is_late(sched, "2026-10", date(2026, 11, 6))
    assert closing_day(sched, "2026-10") == date(2026, 11, 15)
    assert accepts(sched, "2026-10", date(2026, 10, 1))
    assert accepts(sched, "2026-10", date(2026, 11, 15))
    assert not accepts(sched, "2026-10", date(2026, 11, 16))
    assert not accepts(sched, "2026-10", date(2026, 9, 30))  # the period has not begun


def test_zero_deadline_and_a_window_that_never_closes() -> None:
    """deadline_days 0 is the period's last day; accept_late_days None never refuses."""
    sched = Sched(period="day", deadline_days=0, accept_late_days=None)
    assert deadline(sched, "2026-11-24") == date(2026, 11, 24)
    assert is_late(sched, "2026-11-24", date(2026, 11, 25))
    assert closing_day(sched, "2026-11-24") is None
    assert accepts(sched, "2026-11-24", date(2036, 1, 1))


@pytest.mark.parametrize(
    ("key", "vi", "en"),
    [
        ("2026-11", "tháng 11/2026", "November 2026"),
        ("2026-W45", "tuần 45/2026", "week 45, 2026"),
        ("2026-Q4", "quý 4/2026", "Q4 2026"),
        ("2026-11-24", "ngày 24/11/2026", "24 November 2026"),
    ],
)
def test_describe_in_both_languages(key: str, vi: str, en: str) -> None:
    """Periods read as Vietnamese and English words."""
    assert describe(key, "vi") == vi
    assert describe(parse_key(key), "en") == en


@pytest.mark.parametrize(
    ("words", "key", "day", "length"),
    [
        (["thang", "10"], "2026-10", None, 2),
        (["thang", "11"], "2026-11", None, 2),
        (["thang", "12"], "2025-12", None, 2),
        (["thang", ":", "3"], "2026-03", None, 3),
        (["t10"], "2026-10", None, 1),
        (["t12/2025"], "2025-12", None, 1),
        (["10/2026"], "2026-10", None, 1),
        (["tuan", "48"], "2026-W48", None, 2),
        (["tuan", "49"], "2025-W49", None, 2),
        (["tuan", "53"], "2020-W53", None, 2),  # 2026-W53 starts on 28/12: not begun yet
        (["quy", "4"], "2026-Q4", None, 2),
        (["q1/2025"], "2025-Q1", None, 1),
        (["ngay", "24/11"], None, date(2026, 11, 24), 2),
        (["ngay", "25/11"], None, date(2025, 11, 25), 2),
        (["ngay", "29/02"], None, date(2024, 2, 29), 2),
        (["ngay", "5-10-26"], None, date(2026, 10, 5), 2),
        (["hom", "nay"], None, TODAY, 2),
        (["hom", "qua", "sinh"], None, date(2026, 11, 23), 2),
    ],
)
def test_period_words(words: list[str], key: str | None, day: date | None, length: int) -> None:
    """Period words without a year mean the latest such period that has begun."""
    found = match_period_words(words, today=TODAY)
    assert found is not None
    assert (found.period.key if found.period else None, found.day, found.length) == (
        key,
        day,
        length,
    )


@pytest.mark.parametrize("words", [["sinh", "2"], ["2"], ["24/11"], ["hom"], []])
def test_other_words_are_no_period(words: list[str]) -> None:
    """Words that do not start like a period give None, not an error."""
    assert match_period_words(words, today=TODAY) is None


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        (["thang", "13"], "invalid"),
        (["thang"], "invalid"),
        (["t0"], "invalid"),
        (["tuan", "54"], "invalid"),
        (["quy", "5"], "invalid"),
        (["ngay", "31/04"], "invalid"),
        (["ngay", "abc"], "invalid"),
        (["12/2026"], "future"),
        (["tuan", "49/2026"], "future"),
        (["ngay", "25/11/2026"], "future"),
    ],
)
def test_bad_period_words(words: list[str], reason: str) -> None:
    """Period words naming no period, or one not begun, raise PeriodError with the reason."""
    with pytest.raises(PeriodError) as caught:
        match_period_words(words, today=TODAY)
    assert caught.value.reason == reason


def test_period_forms_use_real_numbers_of_the_last_period() -> None:
    """The forms shown after a bad period are typed words for the previous period."""
    assert period_forms("month", TODAY) == "thang 10, t10, 10/2026"
    assert period_forms("week", TODAY) == "tuan 47"
    assert period_forms("quarter", TODAY) == "quy 3"
    assert period_forms("day", TODAY) == "ngay 23/11, hom qua"


def test_periods_order_by_start() -> None:
    """Periods of one kind sort by time, so history can be ordered."""
    months = [Period("month", date(2026, m, 1)) for m in (3, 1, 2)]
    assert [p.key for p in sorted(months)] == ["2026-01", "2026-02", "2026-03"]
