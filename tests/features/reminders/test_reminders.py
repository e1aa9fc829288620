"""Reminders end to end: /nhac in one line and step by step; APScheduler fires them when the
test's clock reaches their local time; only the right people hear; quiet hours hold them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from tests.support.directive_helpers import Team, bind_huong_son_group, district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(clock: ManualClock, day: int, hour: int, minute: int = 0) -> None:
    clock.set(datetime(2026, 11, day, hour, minute, tzinfo=VN))


def _heard(world: World, chat: object, text: str) -> int:
    return sum(text in t for t in world.driver.texts(chat))


def _where(world: World, team: Team, group: object, person: object) -> object:
    """Where a person of Xã Hương Sơn hears things: the group on Telegram, else privately."""
    return group if group is not None else world.driver.private(person)  # type: ignore[arg-type]


async def _setup(world: World) -> tuple[Team, object]:
    team = await district_team(world)
    group = None
    if world.platform == "telegram":
        group = bind_huong_son_group(world, team)
        await world.driver.say(team.lan, group, "/gannhom Xã Hương Sơn")
    return team, group


async def test_daily_reminder_fires_at_its_local_time_to_its_area_only(
    world: World, clock: ManualClock
) -> None:
    team, group = await _setup(world)
    d = world.driver
    added = await d.say(
        team.lan, d.private(team.lan), "/nhac them hang ngay luc 16:00: Cập nhật ca bệnh"
    )
    assert added[0].startswith("✅ Đã đặt nhắc việc số ")
    assert "hằng ngày lúc 16:00, cho Xã Hương Sơn. Lần đầu: 23/11/2026 16:00." in added[0]
    where = _where(world, team, group, team.hoa)
    _at(clock, 23, 15, 59)
    _at(clock, 23, 16, 0)  # APScheduler re-times its job and fires it; nobody calls it directly
    await eventually(lambda: _heard(world, where, "⏰ Nhắc việc: Cập nhật ca bệnh") == 1,
                     what="the reminder in Hương Sơn")  # fmt: skip
    if group is None:
        await eventually(lambda: _heard(world, d.private(team.tu), "Cập nhật ca bệnh") == 1)
    assert _heard(world, d.private(team.binh), "Cập nhật ca bệnh") == 0, "another commune"
    assert _heard(world, d.private(team.lan), "Cập nhật ca bệnh") == 0, "the author"
    listing = (await d.say(team.lan, d.private(team.lan), "/nhac ds"))[0]
    assert (
        "hằng ngày lúc 16:00 – Xã Hương Sơn: Cập nhật ca bệnh (lần tới 24/11/2026 16:00)"
        in listing
    )


async def test_quiet_hours_hold_a_reminder_until_morning(world: World, clock: ManualClock) -> None:
    team, group = await _setup(world)
    d = world.driver
    await d.say(team.lan, d.private(team.lan), "/nhac them hang ngay luc 22:00: Khoá sổ ngày")
    where = _where(world, team, group, team.hoa)
    _at(clock, 23, 22, 5)
    assert world.bot.app is not None and world.bot.app.scheduler is not None
    assert world.bot.app.scheduler.run_due(2) is False, "22:00 is inside the quiet hours"
    assert _heard(world, where, "Khoá sổ ngày") == 0
    _at(clock, 24, 6, 30)
    await eventually(lambda: _heard(world, where, "⏰ Nhắc việc: Khoá sổ ngày") == 1,
                     what="the held reminder at 06:30")  # fmt: skip


async def test_deadline_reminder_goes_only_to_villages_that_have_not_reported(
    world: World, clock: ManualClock
) -> None:
    team, _ = await _setup(world)
    d = world.driver
    added = (await d.say(team.lan, d.private(team.lan), "/nhac them truoc han 2 ngay"))[0]
    # Population changes are monthly with 3 days' grace: November is due 03/12.
    assert "Lần đầu: 01/12/2026 08:00." in added
    await d.say(team.hoa, d.private(team.hoa), "/bc sinh 1")
    _at(clock, 30, 9, 0)
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=VN))
    note = "hạn báo cáo Biến động dân số tháng 11/2026 là 03/12/2026, Thôn Sơn Trung chưa gửi"
    await eventually(lambda: _heard(world, d.private(team.tu), note) == 1, what="Tú's reminder")
    assert not any(t.startswith("⏰") for t in d.texts(d.private(team.hoa))), "Hoa reported"
    assert not any(t.startswith("⏰") for t in d.texts(d.private(team.binh))), "not Lan's area"


async def test_campaign_and_one_off_reminders(world: World, clock: ManualClock) -> None:
    team, group = await _setup(world)
    d = world.driver
    chat = d.private(team.lan)
    await d.say(team.lan, chat, "/nhac them chien dich 26/11 -1,0 luc 7:00: Tiêm chủng mở rộng")
    await d.say(team.lan, chat, "/nhac them 24/11 luc 9:00: Họp triển khai")
    where = _where(world, team, group, team.hoa)
    _at(clock, 24, 9, 0)
    await eventually(lambda: _heard(world, where, "⏰ Nhắc việc: Họp triển khai") == 1)
    _at(clock, 25, 7, 0)
    await eventually(
        lambda: _heard(world, where, "⏰ Còn 1 ngày nữa (26/11/2026): Tiêm chủng") == 1
    )
    _at(clock, 26, 7, 0)
    await eventually(lambda: _heard(world, where, "⏰ Hôm nay (26/11/2026): Tiêm chủng") == 1)
    _at(clock, 27, 9, 0)
    listing = (await d.say(team.lan, chat, "/nhac ds"))[0]
    assert listing == "Chưa có nhắc việc nào trong địa bàn của bạn. Đặt bằng /nhac them …"
    assert _heard(world, where, "Họp triển khai") == 1, "a one-off fires once"


async def test_step_by_step_form_and_delete(world: World, clock: ManualClock) -> None:
    team, _ = await _setup(world)
    d = world.driver
    chat = d.private(team.lan)
    first = (await d.say(team.lan, chat, "/nhac them"))[0]
    assert first.startswith("Nhắc việc loại nào?")
    assert (await d.say(team.lan, chat, "2"))[0] == "Thứ mấy, mấy giờ? Ví dụ: thứ 2 7:30"
    assert (await d.say(team.lan, chat, "thứ 2 25:00"))[0].startswith("Giờ «25:00» không hợp lệ")
    assert (await d.say(team.lan, chat, "thứ 2 7:30"))[0] == "Nội dung nhắc?"
    done = (await d.say(team.lan, chat, "Giao ban đầu tuần"))[0]
    assert "thứ Hai hằng tuần lúc 07:30, cho Xã Hương Sơn. Lần đầu: 30/11/2026 07:30." in done
    number = done.split("số ")[1].split(":")[0]
    refused = await d.say(team.hoa, d.private(team.hoa), f"/nhac xoa {number}")
    assert refused == ["Lệnh /nhac chỉ dành cho: quản trị, cán bộ."]
    outside = await d.say(team.region, d.private(team.region), f"/nhac xoa {number}")
    assert outside == [f"🗑 Đã xóa nhắc việc số {number}."], "the region covers the commune"
    assert (await d.say(team.lan, chat, "/nhac ds"))[0].startswith("Chưa có nhắc việc nào")
