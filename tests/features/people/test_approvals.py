"""/duyet for officers: every pending registration reachable a page at a time, and the daily
summary some officers choose instead of a notice per registration; on Telegram and Zalo."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from bot.features.people.registration.registration_summary import SOURCE
from tests.features.people.registration_helpers import newcomers, officer, press
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _listed(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", text, re.MULTILINE)]


async def test_duyet_shows_all_46_pending_in_pages(world: World) -> None:
    """46 waiting: /duyet shows page 1 of 3, the next pages come by button (Telegram), by its
    typed twin (Zalo) or by «tiep»; all 46 are listed once; a number still approves."""
    d = world.driver
    admin = d.person("Quản trị")
    app = await world.start(admins=[admin])
    lan = await officer(world, admin, "Cán bộ Lan", "Xã Hương Sơn")
    assert app.store is not None
    ids = newcomers(app.store, 46, ["18133-01", "18133-02"], start=1)
    chat = d.private(lan)

    first = (await d.say(lan, chat, "/duyet"))[0]
    assert first.startswith("Đăng ký đang chờ duyệt (46):\n#1 Người mới 1 – Thôn Sơn Ninh")
    assert "\nTrang 1/3.\n" in first
    if world.platform == "telegram":
        message = world.fake.sent(chat)[-1]
        assert message.buttons == ((("Trang sau ▶", "ap:p:2"),),)
        second = (await press(world, lan, chat, message.message_id, "ap:p:2"))[0]
        assert world.fake.sent(chat)[-1].buttons == (
            (("◀ Trang trước", "ap:p:1"), ("Trang sau ▶", "ap:p:3")),
        )
    else:
        assert first.endswith("👉 Gõ «/duyet trang 2»: Trang sau ▶")
        second = (await d.say(lan, chat, "/duyet trang 2"))[0]
        assert "👉 Gõ «/duyet trang 1»: ◀ Trang trước" in second
    assert "\nTrang 2/3.\n" in second
    third = (await d.say(lan, chat, "tiep"))[0]
    assert "\nTrang 3/3.\n" in third and "Trang sau" not in third
    pages = [_listed(first), _listed(second), _listed(third)]
    assert [len(p) for p in pages] == [20, 20, 6]
    assert sorted(n for page in pages for n in page) == sorted(ids)

    approved = await d.say(lan, chat, "25")
    assert approved == ["✅ Đã duyệt #25: Người mới 25 là cộng tác viên Thôn Sơn Ninh."]
    again = (await d.say(lan, chat, "/duyet trang 3"))[0]
    assert "(45)" in again and 25 not in _listed(again) and len(_listed(again)) == 5


async def test_daily_summary_instead_of_each_notice(world: World, clock: ManualClock) -> None:
    """An officer who chose the summary gets no notice per registration, but one message at
    registration.summary_at (21:30 falls in the quiet hours, so 06:30) naming the new ones;
    the choice survives a restart; switched off, each notice comes again."""
    d = world.driver
    admin, hoa, tu, nga = (d.person(n) for n in ("Quản trị", "Chị Hoa", "Anh Tú", "Chị Nga"))
    app = await world.start(admins=[admin], extra={"registration": {"summary_at": "21:30"}})
    lan = await officer(world, admin, "Cán bộ Lan", "Xã Hương Sơn")
    chat = d.private(lan)
    assert (await d.say(lan, chat, "/duyet tomtat bat")) == [
        "Bạn sẽ nhận một tin tóm tắt đăng ký mới mỗi ngày lúc 21:30, thay cho từng thông báo. "
        "Tắt: /duyet tomtat tat"
    ]
    told = len(d.texts(chat))
    clock.advance(minutes=5)
    await d.say(hoa, d.private(hoa), "/dangky thon son ninh")
    await d.say(tu, d.private(tu), "/dangky Sơn Trung, Hương Sơn")
    assert len(d.texts(chat)) == told, "no notice for each registration"

    assert app.store is not None and app.scheduler is not None
    (schedule,) = [r.id for r in app.store.reminders.all() if r.source == SOURCE]
    clock.set(datetime(2026, 11, 23, 21, 30, tzinfo=VN))
    assert app.scheduler.run_due(schedule) is False, "21:30 is inside the quiet hours"
    clock.set(datetime(2026, 11, 24, 6, 30, tzinfo=VN))
    await eventually(lambda: len(d.texts(chat)) > told, what="the summary at 06:30")
    assert d.texts(chat)[told:] == [
        "🆕 Đăng ký mới từ lần tóm tắt trước: 2 (đang chờ duyệt tất cả: 2)\n"
        "#1 Chị Hoa – Thôn Sơn Ninh, Xã Hương Sơn\n"
        "#2 Anh Tú – Thôn Sơn Trung, Xã Hương Sơn\n"
        "Gõ /duyet để xem danh sách và duyệt."
    ]

    await world.restart()
    state = await d.say(lan, chat, "/duyet tomtat")
    assert state[0].startswith("Bạn sẽ nhận một tin tóm tắt đăng ký mới mỗi ngày lúc 21:30")
    off = await d.say(lan, chat, "/duyet tomtat tat")
    assert off[0].startswith("Bạn nhận thông báo ngay khi có đăng ký mới.")
    await d.say(nga, d.private(nga), "/dangky 18133-02")
    assert d.texts(chat)[-1].startswith(
        "🆕 Chị Nga đăng ký làm cộng tác viên Thôn Sơn Trung, Xã Hương Sơn (đăng ký #3)."
    )
