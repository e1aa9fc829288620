"""After a directive: chases of those who have not acknowledged, and the deadline summary,
each exactly once across sweeps and restarts (time moved by the test's clock)."""

from __future__ import annotations

from bot.app.runtime import App
from bot.core.clock import ManualClock
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually

TEXT = "Rà soát phụ nữ mang thai trong tháng 12."


def _count(world: World, chat: object, marker: str) -> int:
    return sum(marker in t for t in world.driver.texts(chat))


async def _outbox_idle(app: App) -> None:
    assert app.store is not None
    store = app.store
    await eventually(lambda: store.outbox.backlog()[0] == 0, what="the outbox to empty")


async def test_chase_once_then_summary_at_the_deadline(world: World, clock: ManualClock) -> None:
    team = await district_team(world)
    d = world.driver
    group = None
    if world.platform == "telegram":
        group = bind_huong_son_group(world, team)
        await d.say(team.lan, group, "/gannhom Xã Hương Sơn")
    r_chat = d.private(team.region)
    await d.say(team.region, r_chat, f"/chithi all: {TEXT} han 30/11")
    await d.say(team.region, r_chat, "/xacnhan")
    app = world.bot.app
    assert app is not None and app.services is not None
    await _outbox_idle(app)
    await d.say(team.hoa, d.private(team.hoa), "ok 1")
    await d.say(team.lan, d.private(team.lan), "ok 1")
    if world.platform == "telegram":
        # Tú blocked the bot once, so he can only be chased in his commune's group.
        app.services.people.directory.mark_unreachable(team.tu.key)

    assert app.follow_up_directives() == {"chases": 0, "summaries": 0}, "not due yet"
    clock.advance(hours=24, minutes=1)
    assert app.follow_up_directives() == {"chases": 1, "summaries": 0}
    assert app.follow_up_directives() == {"chases": 0, "summaries": 0}, "chase_times is 1"
    await _outbox_idle(app)
    chase = "🔔 Nhắc: bạn chưa xác nhận đã nhận thông báo số 1"
    assert _count(world, d.private(team.binh), chase) == 1
    assert _count(world, d.private(team.hoa), chase) == 0, "Hoa acknowledged"
    assert _count(world, d.private(team.lan), chase) == 0, "Lan acknowledged"
    if world.platform == "telegram":
        assert group is not None
        named = [t for t in d.texts(group) if t.startswith("🔔 Chưa xác nhận thông báo số 1")]
        assert named == [
            "🔔 Chưa xác nhận thông báo số 1: Anh Tú. "
            "Bấm «Đã nhận» dưới thông báo hoặc trả lời «ok 1»."
        ]
        assert _count(world, d.private(team.tu), chase) == 0
    else:
        assert _count(world, d.private(team.tu), chase) == 1
        last = d.texts(d.private(team.tu))[-1]
        assert "⏰ Hạn: 30/11/2026 17:00" in last and "👉 Gõ «ok 1»" in last

    await world.restart()  # the sweep at start finds nothing more to do
    app = world.bot.app
    assert app is not None
    assert app.follow_up_directives() == {"chases": 0, "summaries": 0}

    clock.advance(days=7)  # past 30/11 17:00
    assert app.follow_up_directives() == {"chases": 0, "summaries": 1}
    await _outbox_idle(app)
    summary = [t for t in d.texts(r_chat) if t.startswith("🏁 Đã đến hạn thông báo số 1")]
    assert len(summary) == 1
    assert "Đã nhận 2/4 người (50%)" in summary[0]
    assert "Anh Bình" in summary[0] and "Anh Tú" in summary[0]
    await world.restart()
    assert world.bot.app is not None
    assert world.bot.app.follow_up_directives() == {"chases": 0, "summaries": 0}
    assert sum(t.startswith("🏁") for t in d.texts(r_chat)) == 1, "never a second summary"
