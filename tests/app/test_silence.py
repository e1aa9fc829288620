"""A bot that stops receiving is told to the admins once, and its recovery too; a quiet night is
not. The platforms fail for real on the fakes; only the watch's clock is moved forward (the
watch reads time.monotonic(), as the platforms do when they note what they received)."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp

from bot.app.runtime import App
from bot.core.models import Role
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_seed import Member, seed_store
from tests.support.harness import (
    TG_TOKEN,
    ZALO_BOT,
    ZALO_TOKEN,
    RunningBot,
    bot_environ,
    eventually,
    write_config,
)

SECRET = "webhook-Secret_1234"
MINUTES = 30  # the default health.silence_alert_minutes
ALERT = "⚠️ Bot"


class Later:
    """The watch's monotonic clock: real time plus however far a test moved it."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead


def _watched(app: App) -> Later:
    assert app.silence is not None
    later = Later()
    app.silence.monotonic = later
    return later


async def test_a_stalled_telegram_poller_is_told_once_then_its_recovery(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    boss, hoa = fake.user(800001, "Anh Quản trị"), fake.user(800002, "Chị Hoa")
    fake.bot_state().started.update({boss.id, hoa.id})
    config = write_config(tmp_path, admins=[f"telegram:{boss.id}"], telegram_url=fake.base_url)
    seed_store(config, [Member(boss.first_name, f"telegram:{boss.id}", Role.OFFICER, "R1")], [])
    bot = RunningBot(config, bot_environ(), None)
    app = await bot.start()
    try:
        later = _watched(app)
        await fake.wait_polling()
        assert await app.check_silence() == []
        # Telegram stops answering: the long poll that took Hoa's message never returns.
        hold = ResponseHold("getUpdates", 1, match=lambda p: True)
        fake.hold = hold
        fake.type_as(hoa, fake.private(hoa), "/huy")
        await eventually(hold.reached.is_set, what="the held poll")
        later.ahead = (MINUTES - 1) * 60
        assert await app.check_silence() == []  # not long enough yet
        later.ahead = (MINUTES + 1) * 60
        assert await app.check_silence() == ["health.silence_polling"]
        me = fake.private(boss)
        await eventually(lambda: any(ALERT in m.text for m in fake.sent(me)), what="the alert")
        assert await app.check_silence() == []  # once per episode
        platform = app.platforms[("telegram", "")]
        stalled = platform.last_receive_at
        hold.release()
        fake.hold = None
        await eventually(lambda: platform.last_receive_at != stalled, what="a poll answered")
        later.ahead = 0
        assert await app.check_silence() == ["health.recovered"]
        await eventually(lambda: fake.sent(me)[-1].text.startswith("✅"), what="the recovery")
        assert await app.check_silence() == []
    finally:
        await bot.stop()
    texts = [m.text for m in fake.sent(me)]
    assert len([t for t in texts if ALERT in t]) == 1
    assert f"không nhận được tin đã {MINUTES + 1} phút" in texts[0]
    assert texts[-1] == "✅ Bot Telegram đã nhận tin trở lại."


async def test_a_zalo_webhook_quiet_for_a_night_is_fine_but_a_removed_one_is_told(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    fake = fake_zalo
    boss = fake.user("Anh Quản trị", bot=ZALO_TOKEN)
    me = fake.private(boss)
    fake.chats[(ZALO_TOKEN, boss.id)].reachable = True  # the admin has written to the bot
    key = f"zalo:{ZALO_BOT}:{boss.id}"
    config = write_config(
        tmp_path, admins=[key], zalo_url=fake.base_url, mode="webhook",
        public_base_url="https://bot.example.org",
    )  # fmt: skip
    env = bot_environ(webhook_secret=SECRET)
    seed_store(config, [Member(boss.display_name, key, Role.OFFICER, "R1")], [], environ=env)
    bot = RunningBot(config, env, None)
    app = await bot.start()
    state = fake.bots[ZALO_TOKEN]
    url = f"{fake.base_url}/bot{ZALO_TOKEN}"
    try:
        later = _watched(app)
        later.ahead = 10 * 3600  # a night and a morning without a message
        assert await app.check_silence() == []
        async with aiohttp.ClientSession() as http:
            await http.post(f"{url}/deleteWebhook", json={})  # gone at Zalo, not by the bot
            assert state.webhook_url == ""
            assert await app.check_silence() == []  # seen; told if it lasts
            later.ahead += (MINUTES + 1) * 60
            assert await app.check_silence() == ["health.silence_webhook"]
            assert await app.check_silence() == []
            await http.post(
                f"{url}/setWebhook",
                json={"url": f"https://bot.example.org/webhook/zalo/{ZALO_BOT}",
                      "secret_token": SECRET},
            )  # fmt: skip
        assert await app.check_silence() == ["health.recovered"]
        later.ahead = 49 * 3600  # two days without a single call: told, in hours
        assert await app.check_silence() == ["health.silence_quiet"]
        await eventually(lambda: len(fake.sent(me)) == 3, what="three notes")
    finally:
        await bot.stop()
    texts = [m.text for m in fake.sent(me)]
    assert texts[0].startswith("⚠️ Zalo zalo1 báo không chuyển được tin")
    assert texts[1] == "✅ Bot Zalo zalo1 đã nhận tin trở lại."
    assert "không nhận được tin nào qua webhook đã 49 giờ" in texts[2]


async def test_telegram_reporting_failed_webhook_deliveries_is_told(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """The public address refuses connections: Telegram keeps the update and says why."""
    fake = fake_telegram
    boss, hoa = fake.user(800001, "Anh Quản trị"), fake.user(800002, "Chị Hoa")
    fake.bot_state().started.update({boss.id, hoa.id})
    fake.webhook_retry_delay = 0.5
    config = write_config(
        tmp_path, admins=[f"telegram:{boss.id}"], telegram_url=fake.base_url, mode="webhook",
        public_base_url="https://127.0.0.1:1",  # nothing listens on port 1
    )  # fmt: skip
    env = bot_environ(webhook_secret=SECRET)
    seed_store(config, [Member(boss.first_name, f"telegram:{boss.id}", Role.OFFICER, "R1")], [],
               environ=env)  # fmt: skip
    bot = RunningBot(config, env, None)
    app = await bot.start()
    try:
        later = _watched(app)
        assert await app.check_silence() == []
        fake.type_as(hoa, fake.private(hoa), "/huy")
        await eventually(lambda: fake.bot_state(TG_TOKEN).last_error_date > 0, what="a failure")
        assert await app.check_silence() == []
        later.ahead = (MINUTES + 1) * 60
        assert await app.check_silence() == ["health.silence_webhook"]
        me = fake.private(boss)
        await eventually(lambda: bool(fake.sent(me)), what="the alert")
    finally:
        await bot.stop()
    assert fake.sent(me)[0].text.startswith("⚠️ Telegram báo không chuyển được tin tới bot")
