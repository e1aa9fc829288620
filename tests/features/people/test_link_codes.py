"""The /lienket code's form and the odds its budgets promise (README, "Security")."""

from __future__ import annotations

from datetime import timedelta

from bot.features.people import link_codes as lc


def test_the_odds_stay_below_one_in_a_million_per_code() -> None:
    """At most TRIES_PER_CODE guesses ever meet a code's secret digits, whoever types."""
    secret = 10 ** (lc.DIGITS - lc.PREFIX)
    assert lc.TRIES_PER_CODE / secret <= 3e-7 < 1e-6
    # Blind, over the longest life config allows: the bot's hourly budget bounds the guesses.
    guesses = lc.BOT_PER_HOUR * (timedelta(days=1) // lc.HOUR)
    assert guesses / 10**lc.PREFIX / secret < 5e-8
    # 100 accounts on each platform could try more than the bot takes in a day.
    assert 200 * lc.PER_DAY > guesses


def test_codes_are_ten_digits_read_loosely() -> None:
    code = lc.new_code()
    assert len(code) == 10 and code.isdigit()
    assert lc.shown("4827193055") == "482 719 3055"
    for typed in ("482 719 3055", "482-719-3055", "482.719.3055 ", "４８２７１９３０５５"):
        assert lc.read_code(typed) == "4827193055", typed
    assert lc.read_code("48O 7l9 3055") == "4807193055"  # O for 0, l for 1
    for wrong in ("482 719", "482 719 30555", "mã 4827193055", "48á7193055", ""):
        assert lc.read_code(wrong) is None, wrong
    assert lc.digest("4827193055") != lc.digest("4827193056")
    assert "4827193055" not in lc.digest("4827193055")
