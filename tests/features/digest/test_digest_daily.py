"""The daily digest goes out by itself: APScheduler fires the stored digest definition at
config.digest.at, local time, to each supervisor privately, with its chart and spreadsheet."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_the_digest_reaches_the_supervisor_at_seven(
    world: World, clock: ManualClock
) -> None:
    team = await district_team(world, public_base_url="https://bot.example.org")
    d = world.driver
    sup = d.person("Giám sát Hùng")
    await d.say(sup, d.private(sup), "/batdau")
    me = (await d.say(sup, d.private(sup), "/toi"))[0]
    number = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    await d.say(team.admin, d.private(team.admin), f"/vaitro {number} giamsat R1")
    await d.say(team.hoa, d.private(team.hoa), "/bc sinh 2, chet 1")
    chat = d.private(sup)
    before = len(d.texts(chat))

    clock.set(datetime(2026, 11, 24, 6, 59, tzinfo=VN))
    clock.set(datetime(2026, 11, 24, 7, 0, tzinfo=VN))
    await eventually(lambda: len(world.fake.sent(chat)) >= before + 3, timeout=15,
                     what="the digest, its chart and its spreadsheet")  # fmt: skip
    sent = world.fake.sent(chat)[before:]
    assert "Trung tâm Y tế khu vực Hồng Lĩnh" in sent[0].text
    lines = sent[0].text.splitlines()
    assert "Đã báo cáo: 1/3 thôn (33%)" in lines
    assert "• Xã Hương Sơn: 1/2" in lines and "• Phường Bắc Hồng Lĩnh: 0/1" in lines
    assert "• Thôn Sơn Trung (Xã Hương Sơn): Anh Tú" in lines
    if world.platform == "telegram":
        assert sent[1].photo and sent[2].document
    else:
        assert any(m.kind == "photo" and m.photo for m in sent[1:]), "Zalo: the chart by URL"
        assert any("https://bot.example.org/" in m.text for m in sent[1:])
    assert not any(t.startswith("📊") for t in d.texts(d.private(team.hoa))), "supervisors only"

    await world.restart()
    count = len(world.fake.sent(chat))
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=VN))
    assert world.bot.app is not None and world.bot.app.scheduler is not None
    assert world.bot.app.scheduler.run_due(1) is False, "today's digest went out already"
    assert len(world.fake.sent(chat)) == count
