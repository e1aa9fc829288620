"""When reminders fire: calendar kinds by APScheduler's cron, dates with offsets, deadlines;
quiet hours; and the /nhac grammar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.core.models import Reminder, ReminderKind
from bot.core.periods import PeriodKind
from bot.delivery.quiet_hours import QuietHours
from bot.features.reminders.grammar import parse_reminder
from bot.features.reminders.timing import next_after, period_due

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Monthly:
    period: PeriodKind = "month"
    deadline_days: int = 3
    accept_late_days: int | None = None


def _vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def _next(rem: Reminder, after: datetime) -> datetime | None:
    return next_after(rem, after, tz=VN, schedules=lambda code: Monthly())


@pytest.mark.parametrize(
    ("rem", "after", "expected"),
    [
        (Reminder(0, ReminderKind.DAILY, "16:00"), _vn(2026, 11, 23, 16, 0),
         _vn(2026, 11, 24, 16)),
        (Reminder(0, ReminderKind.DAILY, "16:00"), _vn(2026, 11, 23, 15, 59),
         _vn(2026, 11, 23, 16)),
        (Reminder(0, ReminderKind.MONTHLY, "08:00", day_of_month=20), _vn(2026, 11, 24),
         _vn(2026, 12, 20, 8)),
        # Day 31 means the last day: February is not skipped.
        (Reminder(0, ReminderKind.MONTHLY, "08:00", day_of_month=31), _vn(2027, 2, 1),
         _vn(2027, 2, 28, 8)),
        (Reminder(0, ReminderKind.WEEKLY, "07:30", weekday=0), _vn(2026, 11, 24),
         _vn(2026, 11, 30, 7, 30)),
        (Reminder(0, ReminderKind.ONCE, "14:00", on_date="2026-11-30"), _vn(2026, 11, 24),
         _vn(2026, 11, 30, 14)),
        (Reminder(0, ReminderKind.ONCE, "14:00", on_date="2026-11-30"), _vn(2026, 11, 30, 14),
         None),
        (Reminder(0, ReminderKind.CAMPAIGN, "07:00", on_date="2026-12-15", offsets=(0, -7, -1)),
         _vn(2026, 12, 8, 7), _vn(2026, 12, 14, 7)),
        # November is due 03/12 (3 days after the month): two days before is 01/12.
        (Reminder(0, ReminderKind.DEADLINE, "08:00", days_before=2), _vn(2026, 11, 24),
         _vn(2026, 12, 1, 8)),
        (Reminder(0, ReminderKind.DEADLINE, "08:00", days_before=2), _vn(2026, 12, 1, 8),
         _vn(2027, 1, 1, 8)),
    ],
)  # fmt: skip
def test_next_moment(rem: Reminder, after: datetime, expected: datetime | None) -> None:
    assert _next(rem, after) == expected


def test_a_deadline_moment_names_its_period() -> None:
    rem = Reminder(0, ReminderKind.DEADLINE, "08:00", days_before=2)
    period = period_due(rem, _vn(2026, 12, 1, 8), tz=VN, schedules=lambda code: Monthly())
    assert period is not None and period.key == "2026-11"


def test_quiet_hours_across_midnight() -> None:
    quiet = QuietHours(time(21, 0), time(6, 30), VN)
    assert quiet.release(_vn(2026, 11, 23, 20, 59)) == _vn(2026, 11, 23, 20, 59)
    assert quiet.release(_vn(2026, 11, 23, 21, 0)) == _vn(2026, 11, 24, 6, 30)
    assert quiet.release(_vn(2026, 11, 24, 3, 0)) == _vn(2026, 11, 24, 6, 30)
    assert quiet.release(_vn(2026, 11, 24, 6, 30)) == _vn(2026, 11, 24, 6, 30)
    assert not QuietHours(time(0), time(0), VN).holds(_vn(2026, 11, 24, 3, 0))


@pytest.mark.parametrize(
    ("typed", "kind", "at", "extra"),
    [
        ("ngày 20 hằng tháng lúc 8:00: Nộp báo cáo", ReminderKind.MONTHLY, "08:00",
         {"day_of_month": 20}),
        ("thứ Hai hằng tuần 7h30 tại Xã Hương Sơn, 18115: Giao ban", ReminderKind.WEEKLY,
         "07:30", {"weekday": 0, "areas": ("Xã Hương Sơn", "18115")}),
        ("chủ nhật hằng tuần: Nghỉ", ReminderKind.WEEKLY, "08:00", {"weekday": 6}),
        ("hang ngay luc 16: Cập nhật", ReminderKind.DAILY, "16:00", {}),
        ("trước hạn 2 ngày", ReminderKind.DEADLINE, "08:00", {"days_before": 2, "text": ""}),
        ("chien dich 15/12 -7,-1,0 luc 7:00: Tiêm", ReminderKind.CAMPAIGN, "07:00",
         {"on_date": "2026-12-15", "offsets": (-7, -1, 0)}),
        ("5/1 luc 14:00: Họp", ReminderKind.ONCE, "14:00", {"on_date": "2027-01-05"}),
    ],
)  # fmt: skip
def test_grammar(typed: str, kind: ReminderKind, at: str, extra: dict[str, object]) -> None:
    parsed = parse_reminder(typed, today=date(2026, 11, 24))
    assert (parsed.kind, parsed.at) == (kind, at)
    for name, value in extra.items():
        assert getattr(parsed, name) == value


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("mai nhé: họp", "remind.usage"),
        ("ngay 40 hang thang: x", "remind.bad_day"),
        ("hang ngay luc 25:00: x", "remind.bad_time"),
        ("31/02: x", "remind.bad_date"),
        ("hang ngay", "remind.no_text"),
    ],
)
def test_grammar_refusals(typed: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_reminder(typed, today=date(2026, 11, 24))
    assert refused.value.key == key
