"""A receiver that refuses for good (401: a wrong secret on its side): each event is tried once,
kept as FAILED, the admins hear it once (not once per event), and hear again when it accepts."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.core.webhook_records import HookStatus
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.features.webhooks.helpers import hooked_bot, hooked_config, register
from tests.support.harness import TelegramDriver, eventually

pytestmark = pytest.mark.virtual_time


async def test_refused_events_are_recorded_and_the_admins_told_once(
    tmp_path: Path, fake_telegram: FakeTelegram, receiver: WebhookReceiver
) -> None:
    bot = hooked_bot(tmp_path, receiver)
    tg = TelegramDriver(fake_telegram, bot)
    admin, hoa = tg.person("Quản trị"), tg.person("Chị Hoa")
    hooked_config(tmp_path, receiver, admin, telegram_url=fake_telegram.base_url)
    app = await bot.start()
    try:
        await register(tg, admin, [(tg, hoa, "ctv", "Thôn Sơn Ninh")])
        receiver.always(401)
        told = len(tg.texts(tg.private(admin)))
        await tg.say(hoa, tg.private(hoa), "/bc sinh 2")
        await tg.say(hoa, tg.private(hoa), "/bc chet 1")
        store = app.store
        assert store is not None
        await eventually(lambda: len(store.webhooks.failed()) == 2, timeout=60, what="2 failed")
        failed = store.webhooks.failed()
        assert {(i.status, i.last_status, i.attempts) for i in failed} == {
            (HookStatus.FAILED, 401, 1)
        }, "a refusal is final: never retried"
        assert len(receiver.requests) == 2
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as resp:
                health = await resp.json()
        assert health["webhooks"] == {"dashboard": {"pending": 0, "failed": 2}}
        await eventually(lambda: len(tg.texts(tg.private(admin))) > told, what="the alert")
        alerts = tg.texts(tg.private(admin))[told:]
        assert alerts == [
            "⚠️ Hệ thống nhận dữ liệu «dashboard» từ chối một sự kiện (mã HTTP 401); sự kiện "
            "này sẽ không gửi lại. Các lần lỗi sau chỉ ghi vào nhật ký, không nhắn nữa cho đến "
            "khi hệ thống nhận lại được. Hãy kiểm tra địa chỉ và mã bí mật của hệ thống đó "
            "(mục webhooks trong config.yaml)."
        ], "told once for both refusals"

        receiver.always(0)
        await tg.say(hoa, tg.private(hoa), "/bc sinh 1")
        await eventually(lambda: len(receiver.kept) == 1, timeout=60, what="the next event")
        await eventually(lambda: len(tg.texts(tg.private(admin))) > told + 1, what="all clear")
        assert tg.texts(tg.private(admin))[-1] == (
            "✅ Hệ thống «dashboard» nhận dữ liệu trở lại. Số sự kiện không gửi được đang lưu: 2."
        )
    finally:
        await bot.stop()
