"""Zalo's rules: 403 is transient, 429 means the month's quota is spent, bulk sends are costed."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bot.app.runtime import App
from bot.core.errors import UserError
from bot.core.models import OutboxStatus
from bot.delivery.outbox import Message
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.delivery_helpers import finished, private_chat, start_config, started
from tests.support.harness import ZALO_BOT, ZALO_TOKEN, RunningBot, eventually

# Waits (retries, limits, timeouts) on the loop's time, by the bot and the fake alike; idle
# waits skipped.
pytestmark = pytest.mark.virtual_time


async def _people(fake: FakeZalo, n: int) -> list:
    """Zalo people of the bot (each must still write first to be reachable)."""
    return [fake.user(f"Người {i}") for i in range(n)]


async def _with_telegram_admin(
    tmp_path: Path, fake_zalo: FakeZalo, fake_telegram: FakeTelegram, *, quota: int
) -> tuple[RunningBot, App, Any]:
    """A bot on both fakes whose admin, on Telegram, has greeted it (so can be told things)."""
    admin = fake_telegram.user(900001, "Quản trị")
    config = start_config(
        tmp_path, zl=fake_zalo, tg=fake_telegram, admins=[f"telegram:{admin.id}"],
        # The bot's sends only: counting incoming messages too (the default) is shown in
        # tests/platforms/zalo/test_quota_counting.py.
        zalo_bot={"monthly_quota": quota, "quota_counts": "outgoing"},
    )  # fmt: skip
    bot, app = await started(tmp_path, config)
    fake_telegram.type_as(admin, fake_telegram.private(admin), "/batdau")
    await fake_telegram.wait_sent(fake_telegram.private(admin), 1)
    return bot, app, fake_telegram.private(admin)


async def test_zalo_403_is_retried_until_it_goes_through(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    """Zalo documents 403 as an internal server error: the outbox retries it with backoff."""
    hoa = fake_zalo.user("Chị Hoa")
    bot, app = await started(tmp_path, start_config(tmp_path, zl=fake_zalo, admins=[]))
    try:
        await fake_zalo.type_as(hoa, None, "/batdau")
        await fake_zalo.wait_sent(fake_zalo.private(hoa), 1)
        fake_zalo.fail_next(
            "sendMessage", error_code=403, description="internal server error", times=2
        )
        assert app.services is not None and app.store is not None
        job = app.services.delivery.outbox.enqueue(
            [Message(private_chat("zalo", ZALO_BOT, hoa.id), "Nhắc: nộp báo cáo tháng")],
            kind="test",
        )
        result = await finished(app, job, timeout=15)
        assert result.summary == {"sent": 1}
        assert fake_zalo.sent(fake_zalo.private(hoa))[-1].text == "Nhắc: nộp báo cáo tháng"
        item = app.store.outbox.for_job(job.id)[0]
        assert item.attempts == 3 and item.status is OutboxStatus.SENT
        sends = fake_zalo.log.calls("sendMessage")[-3:]
        gaps = [b.at - a.at for a, b in itertools.pairwise(sends)]
        assert all(g >= 0.15 for g in gaps), f"retried without backing off: {gaps}"
    finally:
        await bot.stop()


async def test_bulk_over_the_quota_is_refused_before_anything_is_stored(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    """A bot with 10 messages left cannot start a 12-message bulk send; nothing is queued."""
    people = await _people(fake_zalo, 12)
    config = start_config(tmp_path, zl=fake_zalo, admins=[], zalo_bot={"monthly_quota": 10})
    bot, app = await started(tmp_path, config)
    try:
        assert app.services is not None and app.store is not None
        batch = [Message(private_chat("zalo", ZALO_BOT, p.id), "Họp giao ban") for p in people]
        assert app.services.delivery.outbox.cost(batch) == {ZALO_BOT: 12}
        with pytest.raises(UserError) as refused:
            app.services.delivery.outbox.enqueue(batch, kind="test")
        assert refused.value.key == "quota.refused"
        assert refused.value.params == {"bot": ZALO_BOT, "cost": 12, "left": 10}
        assert app.store.outbox.jobs() == []
        long_text = "x" * 2500  # two Zalo messages each
        assert app.services.delivery.outbox.cost(
            [Message(private_chat("zalo", ZALO_BOT, "a"), long_text)]
        ) == {ZALO_BOT: 2}
    finally:
        await bot.stop()


async def test_admins_hear_once_when_a_bot_passes_80_percent(
    tmp_path: Path, fake_zalo: FakeZalo, fake_telegram: FakeTelegram
) -> None:
    """Replies count against the quota too; the 8th of 10 messages tells the admins, once."""
    people = await _people(fake_zalo, 9)
    bot, app, admin_chat = await _with_telegram_admin(tmp_path, fake_zalo, fake_telegram, quota=10)
    try:
        for p in people:
            await fake_zalo.type_as(p, None, "/huy")
            await fake_zalo.wait_sent(fake_zalo.private(p), 1)
        assert app.services is not None
        quotas = app.services.delivery.quotas
        # The fake holds the 9th reply once it is sent; the bot counts it when Zalo answers.
        await eventually(lambda: quotas.state(ZALO_BOT).used >= 9, what="the 9th counted")
        assert quotas.state(ZALO_BOT).used == 9

        def alerts() -> list[str]:
            return [m.text for m in fake_telegram.sent(admin_chat) if "Bot Zalo" in m.text]

        await eventually(lambda: bool(alerts()), what="the 80 % alert")
        assert alerts() == ["⚠️ Bot Zalo zalo1 đã dùng 8/10 tin nhắn tháng này (80%)."]
    finally:
        await bot.stop()


# Zalo documents 429 as "quota exceeded" and publishes no per-second limit; its wording is
# not documented, so the text must not matter.
@pytest.mark.parametrize("words", ["Quota exceeded", "Too many requests", "Flood control"])
async def test_zalo_429_holds_the_rest_of_that_bots_bulk_and_tells_the_admins(
    tmp_path: Path, fake_zalo: FakeZalo, fake_telegram: FakeTelegram, words: str
) -> None:
    """When Zalo says the quota is spent, nothing more is tried from that bot this month."""
    fake_zalo.quota_description = words
    fake_zalo.bots[ZALO_TOKEN].monthly_quota = 3  # Zalo's own count runs out before ours
    people = await _people(fake_zalo, 5)
    bot, app, admin_chat = await _with_telegram_admin(
        tmp_path, fake_zalo, fake_telegram, quota=100
    )
    try:
        for p in people:
            await fake_zalo.type_as(p, None, "xin chào")
        await eventually(lambda: fake_zalo.quota_used() == 3, what="Zalo's quota to run out")
        assert app.services is not None and app.store is not None
        quotas = app.services.delivery.quotas
        await eventually(lambda: quotas.state(ZALO_BOT).spent, what="the 429")
        await eventually(
            lambda: any("hết lượt tin nhắn" in m.text for m in fake_telegram.sent(admin_chat)),
            what="the admins to be told",
        )
        with pytest.raises(UserError) as refused:
            app.services.delivery.outbox.enqueue(
                [Message(private_chat("zalo", ZALO_BOT, p.id), "Nhắc việc") for p in people],
                kind="test",
            )
        assert refused.value.params["left"] == 0
        calls = len(fake_zalo.log.calls("sendMessage"))
        assert calls <= 5, "sends went on after Zalo said the quota was spent"
    finally:
        await bot.stop()


async def test_a_running_bulk_is_held_when_zalo_says_the_quota_is_spent(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    """Mid-bulk 429: what was not sent is HELD (not retried) and the job stops."""
    fake_zalo.bots[ZALO_TOKEN].monthly_quota = 1
    people = await _people(fake_zalo, 6)
    config = start_config(
        tmp_path, zl=fake_zalo, admins=[], zalo_bot={"monthly_quota": 100},
        extra={"delivery": {"concurrency": 1}},
    )  # fmt: skip
    bot, app = await started(tmp_path, config)
    try:
        for p in people:
            await fake_zalo.type_as(p, None, "/huy")  # only the first reply fits Zalo's quota
        # Once Zalo has refused one, the bot knows the quota is spent and tries no more of
        # the replies still to go: count the messages handled, not the calls made.
        await eventually(lambda: bot.handled >= 6, what="replies")
        assert app.services is not None and app.store is not None
        assert app.services.delivery.quotas.state(ZALO_BOT).spent
        app.store.meta.set(f"quota.spent.{ZALO_BOT}", "")  # an admin believes it was a glitch
        job = app.services.delivery.outbox.enqueue(
            [Message(private_chat("zalo", ZALO_BOT, p.id), "Nhắc việc") for p in people],
            kind="test",
        )
        result = await finished(app, job, timeout=15)
        assert result.status == "stopped" and result.summary == {"held": 6}
        assert all(i.attempts <= 1 for i in app.store.outbox.for_job(job.id))
    finally:
        await bot.stop()
