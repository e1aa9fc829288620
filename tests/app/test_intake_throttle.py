"""The per-person intake bucket: a burst, a steady rate, one note a minute, others untouched."""

from __future__ import annotations

from bot.app.intake_throttle import Throttle, Verdict
from bot.core.clock import ManualTicker


def test_burst_then_rate_then_one_note_a_minute() -> None:
    ticker = ManualTicker()
    throttle = Throttle(per_minute=30, burst=3, ticker=ticker)
    seen = [throttle.check("a") for _ in range(6)]
    assert seen == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert throttle.check("b") is Verdict.ALLOW, "another person is not affected"
    ticker.advance(2.0)
    assert throttle.check("a") is Verdict.ALLOW, "30 a minute: one more every 2 s"
    ticker.advance(0.1)
    assert throttle.check("a") is Verdict.DROP, "told less than a minute ago"
    ticker.advance(58.9)  # 61 s after the start
    assert throttle.check("a") is Verdict.ALLOW
    assert [throttle.check("a") for _ in range(3)][-1] is Verdict.WARN
