"""Per-person intake limit: a token bucket per sender, so one person's flood cannot starve the
others or grow memory without end; the first refusal in a burst gets one polite reply."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from bot.core.clock import LoopTicker, Ticker

MAX_PEOPLE = 10_000  # buckets kept; an idle one is full again, so forgetting the oldest is safe
WARN_EVERY = 60.0  # seconds: one polite note per person in this time, however long the flood


class Verdict(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: refuse, and say so (once a minute at most)
    DROP = "drop"  # over the limit and told lately: refuse quietly


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned_at: float | None = None


class Throttle:
    """`rate` events a minute per person on average, up to `burst` at once; time is `ticker`'s."""

    def __init__(self, *, per_minute: float, burst: int, ticker: Ticker | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.ticker = ticker or LoopTicker()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, person: str) -> Verdict:
        now = self.ticker.monotonic()
        bucket = self._buckets.get(person)
        if bucket is None:
            bucket = self._buckets[person] = _Bucket(self.burst, now)
            if len(self._buckets) > MAX_PEOPLE:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(person)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        if bucket.warned_at is not None and now - bucket.warned_at < WARN_EVERY:
            return Verdict.DROP
        bucket.warned_at = now
        return Verdict.WARN
