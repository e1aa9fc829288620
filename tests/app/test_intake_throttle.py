"""The per-person intake bucket: a burst, a steady rate, one note a minute, others untouched."""

from __future__ import annotations

from bot.app.intake_throttle import Throttle, Verdict


def test_burst_then_rate_then_one_note_a_minute() -> None:
    throttle = Throttle(per_minute=30, burst=3)
    seen = [throttle.check("a", 0.0) for _ in range(6)]
    assert seen == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert throttle.check("b", 0.0) is Verdict.ALLOW, "another person is not affected"
    assert throttle.check("a", 2.0) is Verdict.ALLOW, "30 a minute: one more every 2 s"
    assert throttle.check("a", 2.1) is Verdict.DROP, "told less than a minute ago"
    assert throttle.check("a", 61.0) is Verdict.ALLOW
    assert [throttle.check("a", 61.0) for _ in range(3)][-1] is Verdict.WARN
