"""When a stored reminder fires next, in the deployment's time zone.

The calendar arithmetic of recurring reminders is APScheduler's CronTrigger; date-relative
ones (a campaign day with offsets, a report type's deadline) are listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.core.models import Reminder, ReminderKind
from bot.core.periods import Period, Schedule, deadline, period_of

# For a deadline reminder: the report type's schedule by its code (None: the type is gone).
Schedules = Callable[[str], Schedule | None]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TICK = timedelta(seconds=1)


def clock_time(text: str) -> time:
    hour, _, minute = text.partition(":")
    return time(int(hour), int(minute or 0))


def next_after(
    rem: Reminder, after: datetime, *, tz: ZoneInfo, schedules: Schedules
) -> datetime | None:
    """The first moment of `rem` strictly after `after` (aware), or None when none is left."""
    at = clock_time(rem.at)
    if rem.kind in (
        ReminderKind.MONTHLY,
        ReminderKind.WEEKLY,
        ReminderKind.DAILY,
        ReminderKind.DIGEST,
        ReminderKind.REGISTRATIONS,
    ):
        fields: dict[str, object] = {"hour": at.hour, "minute": at.minute}
        if rem.kind is ReminderKind.MONTHLY:
            # "ngày 31 hằng tháng" in a 30-day month: the last day, never a skipped month.
            fields["day"] = "last" if rem.day_of_month == 31 else rem.day_of_month
        if rem.kind is ReminderKind.WEEKLY:
            fields["day_of_week"] = WEEKDAYS[rem.weekday or 0]
        trigger = CronTrigger(timezone=tz, **fields)  # type: ignore[arg-type]
        return trigger.get_next_fire_time(None, after.astimezone(tz) + _TICK)
    if rem.kind in (ReminderKind.ONCE, ReminderKind.CAMPAIGN):
        day = date.fromisoformat(rem.on_date)
        offsets = rem.offsets if rem.kind is ReminderKind.CAMPAIGN else (0,)
        moments = sorted(datetime.combine(day + timedelta(days=k), at, tz) for k in set(offsets))
        return next((m for m in moments if m > after), None)
    if rem.kind is ReminderKind.DEADLINE:
        schedule = schedules(rem.report_type)
        if schedule is None:
            return None
        period = period_of(schedule.period, after.astimezone(tz).date())
        for _ in range(4):  # back far enough that a deadline after `after` is not skipped
            period = period.previous()
        for _ in range(400):
            moment = deadline_moment(schedule, period, rem.days_before, at, tz)
            if moment > after:
                return moment
            period = period.next()
    return None


def deadline_moment(
    schedule: Schedule, period: Period, days_before: int, at: time, tz: ZoneInfo
) -> datetime:
    return datetime.combine(deadline(schedule, period) - timedelta(days=days_before), at, tz)


def period_due(
    rem: Reminder, moment: datetime, *, tz: ZoneInfo, schedules: Schedules
) -> Period | None:
    """For a deadline reminder's moment: the period whose deadline it announces."""
    schedule = schedules(rem.report_type)
    if schedule is None:
        return None
    period = period_of(schedule.period, moment.astimezone(tz).date())
    for _ in range(8):
        if (
            deadline_moment(schedule, period, rem.days_before, moment.astimezone(tz).time(), tz)
            == moment
        ):
            return period
        period = period.previous()
    return None
