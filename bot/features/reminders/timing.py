"""When a stored reminder fires next, in the deployment's time zone.

The calendar arithmetic of recurring reminders is APScheduler's CronTrigger; date-relative
ones (a campaign day with offsets, a report type's deadline) are listed here. Days off (the
config's `holidays`) move a monthly or weekly moment to the next working day, skip a daily
one, and bring a deadline reminder forward to the working day before; dated reminders (once,
campaign) and the digests keep their days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.core.models import Reminder, ReminderKind
from bot.core.periods import Period, Schedule, deadline, period_of
from bot.core.workdays import EVERY_DAY, WorkCalendar

# For a deadline reminder: the report type's schedule by its code (None: the type is gone).
Schedules = Callable[[str], Schedule | None]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TICK = timedelta(seconds=1)
# Kinds that keep to working days (a daily one looks this many days ahead at most).
_WORKING = (ReminderKind.MONTHLY, ReminderKind.WEEKLY, ReminderKind.DAILY)
_MAX_STEPS = 400


def clock_time(text: str) -> time:
    hour, _, minute = text.partition(":")
    return time(int(hour), int(minute or 0))


def next_after(
    rem: Reminder,
    after: datetime,
    *,
    tz: ZoneInfo,
    schedules: Schedules,
    workdays: WorkCalendar = EVERY_DAY,
) -> datetime | None:
    """The first moment of `rem` strictly after `after` (aware), or None when none is left."""
    at = clock_time(rem.at)
    if rem.kind in (
        ReminderKind.MONTHLY,
        ReminderKind.WEEKLY,
        ReminderKind.DAILY,
        ReminderKind.DIGEST,
        ReminderKind.REGISTRATIONS,
        ReminderKind.DHIS2,
    ):
        fields: dict[str, object] = {"hour": at.hour, "minute": at.minute}
        if rem.kind is ReminderKind.MONTHLY:
            # "ngày 31 hằng tháng" in a 30-day month: the last day, never a skipped month.
            fields["day"] = "last" if rem.day_of_month == 31 else rem.day_of_month
        if rem.kind is ReminderKind.WEEKLY:
            fields["day_of_week"] = WEEKDAYS[rem.weekday or 0]
        trigger = CronTrigger(timezone=tz, **fields)  # type: ignore[arg-type]
        if rem.kind in _WORKING:
            return _on_working_days(rem.kind, trigger, after.astimezone(tz), tz, workdays)
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
            moment = deadline_moment(schedule, period, rem.days_before, at, tz, workdays)
            if moment > after:
                return moment
            period = period.next()
    return None


def _on_working_days(
    kind: ReminderKind, trigger: CronTrigger, after: datetime, tz: ZoneInfo,
    workdays: WorkCalendar,
) -> datetime | None:  # fmt: skip
    """The cron's first moment after `after` once days off are taken out: a daily one on a
    day off is skipped, a monthly or weekly one goes on the next working day at its time.

    Only cron moments after `after` count, so a moment already fired (or one that came before
    the reminder was made) is never sent again moved, even when days off are added later."""
    moment = trigger.get_next_fire_time(None, after + _TICK)
    for _ in range(_MAX_STEPS):
        if moment is None or workdays.is_working_day(moment.date()):
            return moment
        if kind is not ReminderKind.DAILY:
            return datetime.combine(workdays.on_or_after(moment.date()), moment.time(), tz)
        moment = trigger.get_next_fire_time(None, moment + _TICK)
    return None


def deadline_moment(
    schedule: Schedule, period: Period, days_before: int, at: time, tz: ZoneInfo,
    workdays: WorkCalendar = EVERY_DAY,
) -> datetime:  # fmt: skip
    """`days_before` the period's deadline at `at`; on a day off, the working day before it
    (still ahead of the deadline, which itself has moved past any day off)."""
    day = workdays.on_or_before(deadline(schedule, period) - timedelta(days=days_before))
    return datetime.combine(day, at, tz)


def period_due(
    rem: Reminder,
    moment: datetime,
    *,
    tz: ZoneInfo,
    schedules: Schedules,
    workdays: WorkCalendar = EVERY_DAY,
) -> Period | None:
    """For a deadline reminder's moment: the period whose deadline it announces."""
    schedule = schedules(rem.report_type)
    if schedule is None:
        return None
    period = period_of(schedule.period, moment.astimezone(tz).date())
    for _ in range(8):
        local = moment.astimezone(tz).time()
        if deadline_moment(schedule, period, rem.days_before, local, tz, workdays) == moment:
            return period
        period = period.previous()
    return None
