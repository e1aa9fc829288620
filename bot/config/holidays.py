"""The `holidays` section of config.yaml: which days are not working days. Reminders and chases
wait for the next working day; a report deadline on a day off moves to the next working day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import field_validator

from bot.config.base import Section
from bot.core.workdays import WorkCalendar, known_country

MAX_SPAN = 60  # days in one "from..to" entry; a longer one is surely a typo
Span = tuple[date, date]


def _span(value: Any) -> Span:
    """A day (2026-09-03) or days ("2027-02-15..2027-02-19") as (first, last)."""
    if isinstance(value, date):
        return value, value
    if isinstance(value, str):
        first, dots, last = value.strip().partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if dots else start
        except ValueError:
            pass
        else:
            if end < start:
                msg = f"{value!r}: the last day comes before the first"
                raise ValueError(msg)
            if (end - start).days >= MAX_SPAN:
                msg = f"{value!r}: more than {MAX_SPAN} days in one entry"
                raise ValueError(msg)
            return start, end
    msg = f"{value!r}: write a day as 2026-09-03, or days as 2027-02-15..2027-02-19"
    raise ValueError(msg)


def _days(spans: tuple[Span, ...]) -> list[date]:
    return [
        first + timedelta(days=n) for first, last in spans for n in range((last - first).days + 1)
    ]


class HolidaysSection(Section):
    """Public holidays of a country (the `holidays` library: Tết by the lunar calendar, days
    off in lieu), plus the province's own days off, minus the days it works anyway."""

    country: str = "VN"  # ISO code of the country whose public holidays count; "": none
    weekends_off: bool = False  # true: Saturdays and Sundays are days off too
    add: tuple[Span, ...] = ()  # the province's own days off
    remove: tuple[Span, ...] = ()  # working days although a holiday (or a weekend, làm bù)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        code = value.strip().upper()
        if code and not known_country(code):
            msg = f'no public holidays are known for {value!r}; for Vietnam write VN, or ""'
            raise ValueError(msg)
        return code

    @field_validator("add", "remove", mode="before")
    @classmethod
    def _spans(cls, value: Any) -> Any:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            msg = "a list of days (2026-09-03) or of spans (2027-02-15..2027-02-19)"
            raise ValueError(msg)
        return tuple(_span(item) for item in value)

    def calendar(self) -> WorkCalendar:
        """The working days this section describes."""
        return WorkCalendar(
            country=self.country,
            weekends_off=self.weekends_off,
            days_off=_days(self.add),
            work_days=_days(self.remove),
        )
