"""Per-person intake limit: a token bucket per sender, so one person's flood cannot starve the
others or grow memory without end; the first refusal in a burst gets one polite reply.

Answers to the bot's own questions (a press of one of its buttons, a typed answer to the
question waiting for this person) draw on a second allowance, ANSWERS_SHARE times the first
(rate and burst): a step-by-step form answered key by key (a digit, then OK, for each of twenty
questions) at a person's pace of one press a second or more is never refused, while a flood of
them, like any other flood, is held beyond that allowance. Kept apart rather than cheaper, so
that what a person typed before opening the form does not eat into the form's answers."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from bot.core.clock import LoopTicker, Ticker

MAX_PEOPLE = 10_000  # buckets kept; an idle one is full again, so forgetting the oldest is safe
WARN_EVERY = 60.0  # seconds: one polite note per person in this time, however long the flood
ANSWERS_SHARE = 3  # the answers' allowance, in times the person's other one (30 → 90 a minute)


class Verdict(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: refuse, and say so (once a minute at most)
    DROP = "drop"  # over the limit and told lately: refuse quietly


@dataclass(slots=True)
class _Bucket:
    tokens: float
    answers: float
    at: float
    warned_at: float | None = None


class Throttle:
    """`rate` events a minute per person on average, up to `burst` at once, and ANSWERS_SHARE
    times that for answers to the bot's questions; time is `ticker`'s."""

    def __init__(self, *, per_minute: float, burst: int, ticker: Ticker | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.answers_rate = self.rate * ANSWERS_SHARE
        self.answers_burst = self.burst * ANSWERS_SHARE
        self.ticker = ticker or LoopTicker()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, person: str, *, answer: bool = False) -> Verdict:
        """Whether `person` may send one more event now; `answer`: it answers the bot."""
        now = self.ticker.monotonic()
        bucket = self._buckets.get(person)
        if bucket is None:
            bucket = self._buckets[person] = _Bucket(self.burst, self.answers_burst, now)
            if len(self._buckets) > MAX_PEOPLE:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(person)
            elapsed = now - bucket.at
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
            bucket.answers = min(self.answers_burst, bucket.answers + elapsed * self.answers_rate)
            bucket.at = now
        if answer and bucket.answers >= 1:
            bucket.answers -= 1
            return Verdict.ALLOW
        if not answer and bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        if bucket.warned_at is not None and now - bucket.warned_at < WARN_EVERY:
            return Verdict.DROP
        bucket.warned_at = now
        return Verdict.WARN
