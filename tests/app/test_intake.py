"""Intake: webhooks check secrets, a repeated update is handled once, logs keep no token."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from bot.core.clock import ManualClock
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import (
    TG_TOKEN,
    ZALO_BOT,
    ZALO_TOKEN,
    RunningBot,
    ZaloDriver,
    bot_environ,
    eventually,
    write_config,
)

SECRET = "s3cret-webhook-token-for-tests"


def _telegram_update(update_id: int) -> dict:
    user = {"id": 424242, "is_bot": False, "first_name": "Hoa"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7, "date": 1_790_000_000, "text": "/toi",
            "chat": {"id": 424242, "type": "private", "first_name": "Hoa"}, "from": user,
            "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
        },
    }  # fmt: skip


def _zalo_update(message_id: str) -> dict:
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id, "date": 1_790_000_000_000, "text": "/toi",
            "from": {"id": "a1b2c3d4e5f6a7b8c9d0", "display_name": "Hoa", "is_bot": False},
            "chat": {"id": "a1b2c3d4e5f6a7b8c9d0", "chat_type": "PRIVATE"},
        },
    }  # fmt: skip


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_webhook_refuses_wrong_or_missing_secret_and_processes_nothing(
    platform: str, tmp_path: Path, clock: ManualClock,
    fake_telegram: FakeTelegram, fake_zalo: FakeZalo,
) -> None:  # fmt: skip
    """Only a request with the configured secret header reaches the dispatcher."""
    fake = fake_telegram if platform == "telegram" else fake_zalo
    config = write_config(
        tmp_path, admins=[], mode="webhook", public_base_url="https://bot.example.org",
        **{f"{platform}_url": fake.base_url},
    )  # fmt: skip
    bot = RunningBot(config, bot_environ(webhook_secret=SECRET), clock)
    app = await bot.start()
    assert app.inbound is not None
    try:
        if platform == "telegram":
            path, header, body = (
                "/webhook/telegram",
                "X-Telegram-Bot-Api-Secret-Token",
                _telegram_update(1),
            )
            assert (
                fake_telegram.bot_state(TG_TOKEN).webhook_url
                == "https://bot.example.org/webhook/telegram"
            )
        else:
            path, header, body = (
                f"/webhook/zalo/{ZALO_BOT}",
                "X-Bot-Api-Secret-Token",
                _zalo_update("m1"),
            )
        url = f"http://127.0.0.1:{app.web_port}{path}"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {header: "wrong-secret-value"}, {header: SECRET[:-1]}):
                async with http.post(url, json=body, headers=headers) as resp:
                    assert resp.status in (401, 403)
            assert bot.handled == 0
            async with http.post(url, json=body, headers={header: SECRET}) as resp:
                assert resp.status == 200
            await eventually(lambda: bot.handled == 1, what="the update to be handled")
            async with http.post(url, json=body, headers={header: SECRET}) as resp:
                assert resp.status == 200  # a retried delivery is acknowledged, not processed
            other = _telegram_update(2) if platform == "telegram" else _zalo_update("m2")
            async with http.post(url, json=other, headers={header: SECRET}) as resp:
                assert resp.status == 200
            await eventually(lambda: app.inbound.handled == 2, what="the next update")
            assert app.inbound is not None and app.inbound.handled == 2
    finally:
        await bot.stop()


@pytest.mark.virtual_time  # the poller's pauses between polls on the loop's time, skipped
# Contested [X]: what is sent while the bot is down is kept or lost; the replay holds under both.
@pytest.mark.parametrize("offline_loss", [False, True], ids=["zalo-kept", "zalo-lost"])
async def test_zalo_redelivered_update_is_handled_once_even_across_a_restart(
    tmp_path: Path, clock: ManualClock, offline_loss: bool
) -> None:
    """Zalo has no offset: a queue that hands out consumed updates again gets one reply only."""
    fake = FakeZalo(redeliver=True, offline_loss=offline_loss)
    await fake.start()
    fake.add_bot(ZALO_TOKEN)
    try:
        bot = RunningBot(
            write_config(tmp_path, admins=[], zalo_url=fake.base_url), bot_environ(), clock
        )
        driver = ZaloDriver(fake, bot)
        hoa = driver.person("Hoa")
        await bot.start()
        await fake.wait_polling()  # with offline_loss, a message before the first poll is lost
        await driver.say(hoa, driver.private(hoa), "/toi")
        polls = len(fake.log.calls("getUpdates"))
        await eventually(
            lambda: len(fake.log.calls("getUpdates")) >= polls + 2,
            timeout=5,
            what="the poller to see the same update again",
        )
        await bot.stop()
        await bot.start()
        polls = len(fake.log.calls("getUpdates"))
        await eventually(
            lambda: len(fake.log.calls("getUpdates")) >= polls + 2,
            timeout=5,
            what="the restarted poller to see it again",
        )
        assert len(fake.sent(driver.private(hoa))) == 1
        assert bot.app is not None and bot.app.inbound is not None
        assert bot.app.inbound.duplicates >= 1
        await bot.stop()
    finally:
        await fake.stop()


async def test_logs_of_a_full_scenario_hold_no_token_and_no_message_text_at_info(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Everything logged while both platforms run a scenario is free of tokens and chat text."""
    caplog.set_level(logging.DEBUG)
    config = write_config(
        tmp_path, admins=[], telegram_url=fake_telegram.base_url, zalo_url=fake_zalo.base_url
    )
    bot = RunningBot(config, bot_environ(), clock)
    zalo = ZaloDriver(fake_zalo, bot)
    hoa = zalo.person("Hoa")
    tg_user = fake_telegram.user(555001, "Lan")
    await bot.start()
    try:
        secret_text = "Thon Son Ninh bi mat 98765"
        await zalo.say(hoa, zalo.private(hoa), f"/dangky {secret_text}")
        before = bot.handled
        fake_telegram.type_as(tg_user, fake_telegram.private(tg_user), f"/dangky {secret_text}")
        await eventually(lambda: bot.handled > before, what="the Telegram message")
    finally:
        await bot.stop()
    text = caplog.text
    assert "bot started" in text
    for secret in (TG_TOKEN, ZALO_TOKEN, TG_TOKEN.split(":")[1], ZALO_TOKEN.split(":")[1]):
        assert secret not in text
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not [m for m in info if "98765" in m]
