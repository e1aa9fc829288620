"""Old outbox rows, remembered update ids and used link codes are removed; live ones stay."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.delivery.outbox import Message
from tests.support.delivery_helpers import finished, private_chat
from tests.support.harness import World, eventually


async def test_housekeeping_removes_only_what_is_past_its_time(
    world: World, clock: ManualClock
) -> None:
    """After keep_days a finished job is compacted away; a job still running is kept."""
    d = world.driver
    hoa = d.person("Chị Hoa")
    app = await world.start(admins=[hoa])
    await d.say(hoa, d.private(hoa), "/batdau")
    assert app.services is not None and app.store is not None
    bot = "" if world.platform == "telegram" else "zalo1"
    chat = private_chat(world.platform, bot, str(hoa.handle.id))
    done = app.services.delivery.outbox.enqueue([Message(chat, "Nhắc việc")], kind="test")
    await finished(app, done, timeout=10)
    # A second job that cannot finish yet: its chat is unknown to the platform.
    stuck = app.services.delivery.outbox.enqueue(
        [Message(private_chat(world.platform, bot, "999999"), "x")], kind="test"
    )
    clock.advance(days=31)
    removed = app.services.privacy.housekeeping.run_once()
    assert removed["outbox"] == 1
    assert removed["seen_updates"] >= 1
    assert app.store.outbox.get_job(done.id) is None
    assert app.store.outbox.get_job(stuck.id) is not None
    assert app.services.privacy.housekeeping.run_once()["outbox"] == 0


async def test_a_zalo_requester_gets_only_the_final_summary(world: World) -> None:
    """No progress messages on Zalo (they would spend the quota); Telegram edits one in place."""
    d = world.driver
    boss, hoa = d.person("Cán bộ"), d.person("Chị Hoa")
    app = await world.start(admins=[boss])
    for p in (boss, hoa):
        await d.say(p, d.private(p), "/batdau")
    assert app.services is not None and app.store is not None
    bot = "" if world.platform == "telegram" else "zalo1"
    person = app.store.people.by_account(boss.key)
    job = app.services.delivery.outbox.enqueue(
        [Message(private_chat(world.platform, bot, str(hoa.handle.id)), "Nhắc việc")],
        kind="test", requested_by=person,
        report_to=private_chat(world.platform, bot, str(boss.handle.id)).key,
    )  # fmt: skip
    await finished(app, job, timeout=10)
    await eventually(lambda: d.texts(d.private(boss))[-1].startswith("✅ Đã gửi xong: 1/1"))
    assert len(d.texts(d.private(boss))) == 2  # the greeting and one summary, nothing between
