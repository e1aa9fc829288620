"""Webhooks of both platforms, on the running bot: a body over the size limit, a body that is not
JSON, JSON that is not an update (and, on Zalo, a body that is not declared JSON) are refused with
their status and nothing is handled; the bot keeps working. Everything logged meanwhile, at every
level, is free of the tokens and the webhook secret, and nothing at INFO or above carries the
text people typed. (Wrong and missing secrets: test_intake.py; polling logs: test_intake.py.)"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

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
    bot_environ,
    eventually,
    write_config,
)

SECRET = "s3cret-webhook-token-for-tests"
PRIVATE_TEXT = "Thon bi mat so 98765"  # what a person typed: never in INFO logs
TOO_BIG = 1024 * 1024 + 10  # both platforms cap webhook bodies at 1 MB


def _telegram(user_id: Any, update_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Hoa"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_790_000_000, "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "Hoa"}, "from": user,
        },
    }  # fmt: skip


def _zalo(user_id: Any, update_id: int, text: str) -> dict[str, Any]:
    person = {"id": user_id, "display_name": "Hoa", "is_bot": False}
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": f"m{update_id}", "date": 1_790_000_000_000, "text": text,
            "from": person, "chat": {"id": person["id"], "chat_type": "PRIVATE"},
        },
    }  # fmt: skip


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_bad_webhook_bodies_are_refused_and_logs_keep_no_secret_or_text(
    platform: str, tmp_path: Path, clock: ManualClock,
    fake_telegram: FakeTelegram, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    fake = fake_telegram if platform == "telegram" else fake_zalo
    config = write_config(
        tmp_path, admins=[], mode="webhook", public_base_url="https://bot.example.org",
        **{f"{platform}_url": fake.base_url},
    )  # fmt: skip
    bot = RunningBot(config, bot_environ(webhook_secret=SECRET), clock)
    app = await bot.start()
    if platform == "telegram":
        path, header, update = "/webhook/telegram", "X-Telegram-Bot-Api-Secret-Token", _telegram
        hoa = fake_telegram.user(424242, "Hoa")
        fake_telegram.bot_state().started.add(fake_telegram.private(hoa).id)
    else:
        path, header, update = f"/webhook/zalo/{ZALO_BOT}", "X-Bot-Api-Secret-Token", _zalo
        hoa = fake_zalo.user("Hoa")
        fake_zalo.chats[(hoa.bot, hoa.id)].reachable = True  # she wrote first (through us)
    url = f"http://127.0.0.1:{app.web_port}{path}"
    as_json = {header: SECRET, "Content-Type": "application/json"}
    bad: list[tuple[str, bytes, dict[str, str], int]] = [
        ("over the size limit", b'{"a":"' + b"x" * TOO_BIG + b'"}', as_json, 413),
        ("not JSON", b"<html>not json</html>", as_json, 400),
        ("a JSON list", b"[1, 2, 3]", as_json, 400),
        ("a JSON object that is no update", b'{"hello": "world"}', as_json, 400),
        ("a JSON string", json.dumps(PRIVATE_TEXT).encode(), as_json, 400),
    ]
    if platform == "zalo":  # Telegram's route reads the body whatever its declared type
        bad.append(
            ("not declared JSON", b"{}", {header: SECRET, "Content-Type": "text/plain"}, 415)
        )
    try:
        async with aiohttp.ClientSession() as http:
            for what, body, headers, status in bad:
                async with http.post(url, data=body, headers=headers) as resp:
                    assert resp.status == status, what
            assert bot.handled == 0, "nothing refused reached the dispatcher"
            # The bot still works: a real update with private text is taken in and answered.
            good = json.dumps(update(hoa.id, 1, f"/dangky {PRIVATE_TEXT}")).encode()
            async with http.post(url, data=good, headers=as_json) as resp:
                assert resp.status == 200
            await eventually(lambda: bot.handled == 1, what="the good update")
            async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as resp:
                assert resp.status in (200, 503)
    finally:
        await bot.stop()
    answered = [e for e in fake.log.entries if e.method == "sendMessage" and e.status == 200]
    assert answered, "the good update was answered through the platform"
    text = caplog.text
    assert "bot started" in text and "webhook" in text
    for secret in (TG_TOKEN, ZALO_TOKEN, TG_TOKEN.split(":")[1], ZALO_TOKEN.split(":")[1], SECRET):
        assert secret not in text, "a token or the webhook secret reached the logs"
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not [m for m in info if "98765" in m], "typed text in the logs at INFO"
