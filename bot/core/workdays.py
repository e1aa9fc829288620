"""Working days: which days are off (public holidays, the province's own days, weekends if the
config says so) and the next or previous working day, for deadlines, reminders and chases.

Vietnam's public holidays come from the `holidays` library (Tết by the lunar calendar, the days
off in lieu and the Saturdays worked in exchange that the government announces each year); the
province adds days of its own and removes days it works anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import holidays

# A stretch of days off longer than this is a configuration mistake: give up looking instead
# of looping (Tết with its weekends is ten days at most).
MAX_RUN = 60


def known_country(code: str) -> bool:
    """Whether the holidays library has the public holidays of this country (ISO code)."""
    return code in holidays.list_supported_countries()


class WorkCalendar:
    """Which days are working days. Without a country or added days every day is one."""

    def __init__(
        self,
        *,
        country: str = "",
        weekends_off: bool = False,
        days_off: Iterable[date] = (),
        work_days: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.weekends_off = weekends_off
        self.days_off = frozenset(days_off)
        self.work_days = frozenset(work_days)
        self._public: Any = None
        self._weekend = frozenset({5, 6})  # Saturday, Sunday
        if country:
            # Years are filled in as they are asked about (expand=True): no year list to keep.
            self._public = holidays.country_holidays(country, language="vi")
            self._weekend = frozenset(self._public.weekend)

    def holiday_name(self, day: date) -> str:
        """The public holiday's name ("Quốc khánh"), "" for any other day."""
        if self._public is None or day in self.work_days:
            return ""
        return str(self._public.get(day) or "")

    def is_working_day(self, day: date) -> bool:
        if day in self.work_days:
            return True
        if day in self.days_off:
            return False
        if self._public is not None and day in self._public:
            return False
        if self.weekends_off and day.weekday() in self._weekend:
            # A Saturday worked in exchange for a bridged day off is a working day.
            return self._public is not None and day in self._public.weekend_workdays
        return True

    def on_or_after(self, day: date) -> date:
        """`day` if it is a working day, else the next one."""
        return self._step(day, 1)

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the one before it."""
        return self._step(day, -1)

    def _step(self, day: date, direction: int) -> date:
        found = day
        for _ in range(MAX_RUN):
            if self.is_working_day(found):
                return found
            found += timedelta(days=direction)
        return day  # everything is off: keep the day rather than drift for months


# Every day is a working day: what a schedule without a calendar uses.
EVERY_DAY = WorkCalendar()
