"""An APScheduler trigger whose moments come from the stored reminder and the injected clock.

APScheduler keeps time by the wall clock; our moments are in the bot's clock (a ManualClock in
tests). The trigger maps one to the other: a moment `d` seconds ahead on our clock fires `d`
seconds ahead on the wall clock, so moving a test's clock and re-timing the jobs makes
APScheduler itself fire them at once, with no sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

from bot.core.clock import Clock

# After a firing, look again no sooner than this: the run records its firing first.
SETTLE = timedelta(seconds=1)


class ClockTrigger(BaseTrigger):
    __slots__ = ("clock", "due")

    def __init__(self, due: Callable[[], datetime | None], clock: Clock) -> None:
        self.due = due  # the next effective moment on our clock, None when there is none
        self.clock = clock

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        moment = self.due()
        if moment is None:
            return None
        wall = now + max(moment - self.clock.now(), timedelta(0))
        if previous_fire_time is not None:
            # APScheduler asks again until the answer is later than `now`: never say "now" twice.
            wall = max(wall, now + SETTLE)
        return wall

    def __str__(self) -> str:
        return "clock"
