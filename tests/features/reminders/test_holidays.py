"""Days off: Vietnam's public holidays (Tết, Quốc khánh) and the province's own days move
monthly and weekly reminders to the next working day, skip daily ones, hold chases, and move
a report deadline, which the echo, the digest and the deadline reminder then follow."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.config.holidays import HolidaysSection
from bot.config.loading import load_config
from bot.config.models import ConfigError
from bot.config.yaml_source import parse_yaml
from bot.core import periods
from bot.core.clock import ManualClock
from bot.core.models import Reminder, ReminderKind
from bot.core.workdays import WorkCalendar
from bot.features.reminders.timing import next_after, period_due
from bot.features.reports.types import ReportTypes
from tests.support.directive_helpers import Team, district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[3]
PUBLIC = WorkCalendar(country="VN")
WEEKENDS = WorkCalendar(country="VN", weekends_off=True)


def _vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


# --- the calendar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        (PUBLIC, date(2027, 2, 5), date(2027, 2, 11)),  # Tết 2027: 4 to 10 February
        (PUBLIC, date(2026, 9, 2), date(2026, 9, 3)),  # Quốc khánh
        (PUBLIC, date(2027, 9, 3), date(2027, 9, 4)),  # Saturdays are working days by default
        (WEEKENDS, date(2027, 9, 3), date(2027, 9, 6)),  # unless the config gives them off
        (WEEKENDS, date(2025, 4, 26), date(2025, 4, 26)),  # a Saturday worked in exchange
        (PUBLIC, date(2027, 3, 15), date(2027, 3, 15)),  # an ordinary Monday
        (WorkCalendar(country="VN", days_off=[date(2026, 12, 3)]), date(2026, 12, 3),
         date(2026, 12, 4)),  # the province's own day off
        (WorkCalendar(country="VN", work_days=[date(2027, 9, 3)]), date(2027, 9, 3),
         date(2027, 9, 3)),  # a holiday the province works
        (WorkCalendar(), date(2027, 2, 6), date(2027, 2, 6)),  # no country: every day
    ],
)  # fmt: skip
def test_the_next_working_day(calendar: WorkCalendar, day: date, working: date) -> None:
    """Public holidays (with Tết by the lunar calendar), weekends when off, the province's
    additions and removals decide the next working day."""
    assert calendar.on_or_after(day) == working


def test_the_config_section_reads_days_and_spans_and_refuses_mistakes() -> None:
    """`add` and `remove` take days and from..to spans; an unknown country or a span written
    backwards is refused with the right form."""
    section = HolidaysSection.model_validate(
        {"add": ["2027-02-15..2027-02-16", date(2026, 12, 3)], "remove": ["2027-09-03"]}
    )
    calendar = section.calendar()
    assert calendar.days_off == {date(2027, 2, 15), date(2027, 2, 16), date(2026, 12, 3)}
    assert calendar.is_working_day(date(2027, 9, 3))
    assert not calendar.is_working_day(date(2027, 9, 2))
    with pytest.raises(ValidationError, match="for Vietnam write VN"):
        HolidaysSection.model_validate({"country": "Vietnam"})
    with pytest.raises(ValidationError, match="the last day comes before the first"):
        HolidaysSection.model_validate({"add": ["2027-02-16..2027-02-15"]})
    with pytest.raises(ValidationError, match="2026-09-03"):
        HolidaysSection.model_validate({"add": ["03/09/2026"]})
    with pytest.raises(ConfigError, match=r"line 2, column 9: .*2026-13-01 is not a date"):
        parse_yaml("holidays:\n  add: [2026-13-01]\n")


def _types(**holidays: Any) -> ReportTypes:
    config = load_config(ROOT / "config.yaml", environ={})
    section = config.holidays.model_copy(update=holidays)
    return ReportTypes.from_config(
        config.report_types, default=config.default_report_type, workdays=section.calendar()
    )


@pytest.mark.parametrize(
    ("holidays", "deadline"),
    [
        ({}, date(2027, 9, 4)),  # August is due 03/09, Quốc khánh: the Saturday after
        ({"weekends_off": True}, date(2027, 9, 6)),
        ({"country": ""}, date(2027, 9, 3)),
    ],
)
def test_a_deadline_on_a_holiday_moves_and_lateness_and_closing_follow(
    holidays: dict[str, Any], deadline: date
) -> None:
    """The one deadline function moves the day; lateness and the closing day follow it."""
    rt = _types(**holidays).get("danso")
    assert rt is not None
    assert periods.deadline(rt, "2027-08") == deadline
    assert not periods.is_late(rt, "2027-08", deadline)
    assert periods.is_late(rt, "2027-08", date.fromordinal(deadline.toordinal() + 1))
    assert periods.closing_day(rt, "2027-08") == date.fromordinal(deadline.toordinal() + 25)


@pytest.mark.parametrize(
    ("rem", "after", "expected"),
    [
        (Reminder(0, ReminderKind.MONTHLY, "08:00", day_of_month=5), _vn(2027, 1, 6),
         _vn(2027, 2, 11, 8)),
        # Counted from a moment after the 5th (made then, or fired then before the day was
        # given off): February's is not sent again, moved.
        (Reminder(0, ReminderKind.MONTHLY, "08:00", day_of_month=5), _vn(2027, 2, 5, 8),
         _vn(2027, 3, 5, 8)),
        (Reminder(0, ReminderKind.MONTHLY, "08:00", day_of_month=5), _vn(2027, 2, 11, 8),
         _vn(2027, 3, 5, 8)),
        (Reminder(0, ReminderKind.WEEKLY, "07:30", weekday=0), _vn(2027, 2, 2),
         _vn(2027, 2, 11, 7, 30)),
        (Reminder(0, ReminderKind.WEEKLY, "07:30", weekday=0), _vn(2027, 2, 11, 7, 30),
         _vn(2027, 2, 15, 7, 30)),
        (Reminder(0, ReminderKind.DAILY, "16:00"), _vn(2027, 2, 3, 16), _vn(2027, 2, 11, 16)),
        # Dated reminders keep the day the officer chose.
        (Reminder(0, ReminderKind.ONCE, "09:00", on_date="2027-09-02"), _vn(2027, 9, 1),
         _vn(2027, 9, 2, 9)),
        # Due 04/09 (moved); a day before is 03/09, a holiday, and so is 02/09: 01/09.
        (Reminder(0, ReminderKind.DEADLINE, "08:00", report_type="danso", days_before=1),
         _vn(2027, 8, 20), _vn(2027, 9, 1, 8)),
    ],
)  # fmt: skip
def test_reminder_moments_keep_to_working_days(
    rem: Reminder, after: datetime, expected: datetime
) -> None:
    """Monthly and weekly moments wait for the next working day, daily ones skip days off,
    deadline reminders come the working day before."""
    types = _types()
    moment = next_after(rem, after, tz=VN, schedules=types.get, workdays=PUBLIC)
    assert moment == expected
    if rem.kind is ReminderKind.DEADLINE:
        found = period_due(rem, expected, tz=VN, schedules=types.get, workdays=PUBLIC)
        assert found is not None and found.key == "2027-08"


# --- end to end ----------------------------------------------------------------------------


async def _team(world: World, **holidays: Any) -> Team:
    extra = {"holidays": {"country": "VN", **holidays}, "directives": {"chase_times": 2}}
    return await district_team(world, extra=extra)


def _heard(world: World, person: Any, text: str) -> int:
    return sum(text in t for t in world.driver.texts(world.driver.private(person)))


async def _settle(world: World, team: Team) -> None:
    """One round trip, so anything the clock's move set off has gone out."""
    app = world.bot.app
    assert app is not None and app.store is not None
    store = app.store
    await eventually(lambda: store.outbox.backlog()[0] == 0, what="the outbox to empty")
    await world.driver.say(team.admin, world.driver.private(team.admin), "/toi")


async def test_a_monthly_reminder_on_tet_goes_out_on_the_next_working_day(
    tg_world: World, clock: ManualClock
) -> None:
    team = await _team(tg_world)
    d = tg_world.driver
    chat = d.private(team.lan)
    added = (await d.say(team.lan, chat, "/nhac them ngay 5 hang thang luc 8:00: Nộp sổ A0"))[0]
    assert "Lần đầu: 05/12/2026 08:00." in added
    clock.set(_vn(2027, 2, 1, 9))  # December's and January's went while the bot looked away
    clock.set(_vn(2027, 2, 5, 8))
    await _settle(tg_world, team)
    assert _heard(tg_world, team.hoa, "Nộp sổ A0") == 0, "nobody is reminded on Tết"
    clock.set(_vn(2027, 2, 8, 9))
    listing = (await d.say(team.lan, chat, "/nhac ds"))[0]
    assert "(lần tới 11/02/2027 08:00)" in listing, "5 February 2027 is Tết: the 11th"
    clock.set(_vn(2027, 2, 11, 8))
    await eventually(lambda: _heard(tg_world, team.hoa, "⏰ Nhắc việc: Nộp sổ A0") == 1,
                     what="the reminder on the first working day after Tết")  # fmt: skip


async def test_a_day_the_province_adds_is_skipped_and_chases_wait(
    tg_world: World, clock: ManualClock
) -> None:
    team = await _team(tg_world, add=["2026-11-25"])  # and 24/11 is Vietnam Culture Day
    d = tg_world.driver
    chat = d.private(team.lan)
    await d.say(team.lan, chat, "/nhac them hang ngay luc 16:00: Cập nhật ca bệnh")
    await d.say(team.lan, chat, "/chithi Xã Hương Sơn: Rà soát sổ hộ gia đình")
    await d.say(team.lan, chat, "/xacnhan")
    app = tg_world.bot.app
    assert app is not None
    clock.set(_vn(2026, 11, 23, 16))
    await eventually(lambda: _heard(tg_world, team.hoa, "Cập nhật ca bệnh") == 1)
    listing = (await d.say(team.lan, chat, "/nhac ds"))[0]
    assert "(lần tới 26/11/2026 16:00)" in listing
    chase = "🔔 Nhắc: bạn chưa xác nhận đã nhận thông báo số 1"
    for day in (24, 25):
        clock.set(_vn(2026, 11, day, 16))
        assert app.follow_up_directives() == {"chases": 0, "summaries": 0}, f"{day}/11 is off"
        await _settle(tg_world, team)
        assert _heard(tg_world, team.hoa, "Cập nhật ca bệnh") == 1, f"{day}/11 is off"
    clock.set(_vn(2026, 11, 26, 9))
    assert app.follow_up_directives() == {"chases": 1, "summaries": 0}
    await eventually(lambda: _heard(tg_world, team.hoa, chase) == 1, what="the waiting chase")
    clock.set(_vn(2026, 11, 26, 16))
    await eventually(lambda: _heard(tg_world, team.hoa, "Cập nhật ca bệnh") == 2)


async def test_a_deadline_on_a_holiday_moves_and_lateness_follows_it(
    tg_world: World, clock: ManualClock
) -> None:
    team = await _team(tg_world)
    d = tg_world.driver
    lan = d.private(team.lan)
    clock.set(_vn(2027, 8, 20, 9))
    added = (await d.say(team.lan, lan, "/nhac them truoc han 1 ngay"))[0]
    assert "Lần đầu: 01/09/2027 08:00." in added, "03/09 and 02/09 are Quốc khánh"
    clock.set(_vn(2027, 9, 1, 8))
    note = "hạn báo cáo Biến động dân số tháng 8/2027 là 04/09/2027"
    await eventually(lambda: _heard(tg_world, team.hoa, note) == 1, what="the deadline note")

    clock.set(_vn(2027, 9, 4, 10))  # the moved deadline: on time
    echo = (await d.say(team.hoa, d.private(team.hoa), "/bc thang 8 sinh 1"))[0]
    assert "tháng 8/2027" in echo and "nộp muộn" not in echo
    clock.set(_vn(2027, 9, 5, 10))  # a day after it: late
    echo = (await d.say(team.tu, d.private(team.tu), "/bc thang 8 sinh 2"))[0]
    assert "⏰ Báo cáo nộp muộn (sau hạn)." in echo

    digest = (await d.say(team.lan, lan, "/tonghop"))[0].splitlines()
    late = digest[digest.index("Thôn có báo cáo nộp muộn (1):") + 1 :]
    assert late[0].startswith("• Thôn Sơn Trung: tháng 8/2027, 1 tin"), late
    assert not any("Thôn Sơn Ninh" in line for line in late[:2]), "Hoa sent on the deadline"
