"""The Zalo webhook's 200 means "stored" (the crash test: test_zalo_webhook_crash.py). When the
inbox cannot keep an update (the disk is full) the call is answered 500, so a sender that
retries sends it again, and the retry, once the disk works, is handled once. A call whose body
was still arriving when the bot began to stop is answered 503, not acknowledged and dropped."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.clock import ManualClock
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_model import ZaloUser
from tests.support.harness import ZALO_BOT, RunningBot, bot_environ, eventually, write_config
from tests.web.raw_http import RawClient, request_head

SECRET = "s3cret-webhook-token-for-tests"
PATH = f"/webhook/zalo/{ZALO_BOT}"


def _update(person: ZaloUser) -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": "m1", "date": 1_790_000_000_000, "text": "/toi",
            "from": person.json(), "chat": {"id": person.id, "chat_type": "PRIVATE"},
        },
    }  # fmt: skip


async def _bot(tmp_path: Path, clock: ManualClock, fake: FakeZalo) -> RunningBot:
    config = write_config(
        tmp_path, admins=[], zalo_url=fake.base_url, mode="webhook",
        public_base_url="https://bot.example.org",
    )  # fmt: skip
    bot = RunningBot(config, bot_environ(webhook_secret=SECRET), clock)
    await bot.start()
    return bot


async def test_an_update_the_inbox_could_not_keep_is_not_acknowledged(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await _bot(tmp_path, clock, fake_zalo)
    app = bot.app
    assert app is not None and app.store is not None and app.inbound is not None
    hoa = fake_zalo.user("Hoa")
    fake_zalo.chats[(hoa.bot, hoa.id)].reachable = True  # she wrote first
    update = _update(hoa)
    url = f"http://127.0.0.1:{app.web_port}{PATH}"
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    inbox = app.store.inbound

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    try:
        async with aiohttp.ClientSession() as http:
            with monkeypatch.context() as patch:
                patch.setattr(inbox, "receive", disk_full)
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 500, "not stored, so not acknowledged"
            assert not inbox.waiting() and app.inbound.handled == 0
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 200
            await eventually(lambda: app.inbound.handled == 1, what="the retried update")
            assert app.inbound.duplicates == 0
    finally:
        await bot.stop()
    assert len(fake_zalo.sent(fake_zalo.private(hoa))) == 1


async def test_a_call_still_arriving_when_the_bot_stops_is_refused_not_dropped(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    bot = await _bot(tmp_path, clock, fake_zalo)
    app = bot.app
    assert app is not None and app.inbound is not None
    inbound, platform = app.inbound, app.platforms[("zalo", ZALO_BOT)]
    body = json.dumps(_update(fake_zalo.user("Hoa"))).encode()
    headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    client = await RawClient.connect(app.web_port)
    try:
        await client.send(request_head(PATH, headers, length=len(body)) + body[:100])
        await asyncio.sleep(0.05)  # the handler is reading the body
        # What App.stop does first, while the web server still serves (draining the intake
        # can take a while): the platform stops receiving, the intake takes nothing more.
        await platform.stop()
        await inbound.drain()
        await client.send(body[100:])
        answer = await asyncio.wait_for(client.answer(), 10)
    finally:
        await client.close()
        await bot.stop()
    assert answer.status == 503, "refused, so Zalo may send it again"
    assert inbound.handled == 0
