"""Quiet hours: what the bot says on its own (reminders, chases, digests) waits for morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


class QuietHours:
    """A nightly window in local time, e.g. 21:00–06:30; start == end means never quiet."""

    def __init__(self, start: time, end: time, tz: ZoneInfo) -> None:
        self.start = start
        self.end = end
        self.tz = tz

    def holds(self, moment: datetime) -> bool:
        t = moment.astimezone(self.tz).time()
        if self.start == self.end:
            return False
        if self.start < self.end:  # a window inside one day, e.g. 12:00–13:30
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def release(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else the end of the quiet window it falls in."""
        if not self.holds(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, self.tz)
