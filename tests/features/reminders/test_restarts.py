"""A firing missed while the bot was down: once at start within the grace, never after it,
and never twice however often the bot restarts (the stored last firing decides)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TEXT = "⏰ Nhắc việc: Cập nhật sổ theo dõi"


def _count(world: World, chat: object) -> int:
    return sum(TEXT in t for t in world.driver.texts(chat))


async def _outbox_empty(world: World) -> None:
    app = world.bot.app
    assert app is not None and app.store is not None
    store = app.store
    await eventually(lambda: store.outbox.backlog()[0] == 0, what="the outbox to empty")


async def test_down_across_a_firing(world: World, clock: ManualClock) -> None:
    team = await district_team(world)
    d = world.driver
    chat = d.private(team.hoa)
    await d.say(
        team.lan, d.private(team.lan), "/nhac them hang ngay luc 16:00: Cập nhật sổ theo dõi"
    )

    await world.bot.stop()
    clock.set(datetime(2026, 11, 23, 17, 30, tzinfo=VN))  # 90 minutes late: within 180
    await world.bot.start()
    await eventually(lambda: _count(world, chat) == 1, what="the missed firing at start")
    await world.restart()
    await world.restart()
    await _outbox_empty(world)
    assert _count(world, chat) == 1, "restarted twice quickly: still one"

    await world.bot.stop()
    clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=VN))  # 4 hours late: past the grace
    await world.bot.start()
    await _outbox_empty(world)
    assert _count(world, chat) == 1, "too late: recorded as missed, not sent"
    app = world.bot.app
    assert app is not None and app.store is not None
    rem = app.store.reminders.get(2)
    assert rem is not None and rem.last_fired == datetime(2026, 11, 24, 16, 0, tzinfo=VN)

    clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=VN))  # the next one comes as usual
    await eventually(lambda: _count(world, chat) == 2, what="the next day's firing")
