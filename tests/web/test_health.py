"""/healthz: a dead poller and a growing outbox backlog show, with the quota left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app.runtime import App
from bot.delivery.outbox import Message
from tests.fakes.zalo_api import FakeZalo
from tests.support.delivery_helpers import private_chat, start_config, started
from tests.support.harness import ZALO_BOT, eventually


async def _health(app: App) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as resp:
            return resp.status, await resp.json()


@pytest.mark.virtual_time  # retries and their backoff on the loop's time, waits skipped
async def test_health_reports_a_dead_poller_and_a_growing_backlog(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    """A poller stopped by a 401 and sends failing with 500 turn /healthz into 503 with details."""
    hoa, lan = fake_zalo.user("Chị Hoa"), fake_zalo.user("Chị Lan")
    config = start_config(
        tmp_path, zl=fake_zalo, admins=[], zalo_bot={"monthly_quota": 50},
        extra={"delivery": {"max_attempts": 50}},
    )  # fmt: skip
    bot, app = await started(tmp_path, config)
    try:
        await fake_zalo.type_as(hoa, None, "/huy")
        await fake_zalo.wait_sent(fake_zalo.private(hoa), 1)
        status, body = await _health(app)
        assert status == 200 and body["status"] == "ok"
        assert body["platforms"][f"zalo:{ZALO_BOT}"]["alive"] is True
        # Hoa's /huy and its reply: by default the quota counts incoming messages too.
        assert body["zalo_quota"][ZALO_BOT]["left"] == 48
        assert body["outbox"] == {"backlog": 0, "oldest_pending_seconds": None}

        fake_zalo.fail_next("sendMessage", error_code=500, description="Internal", times=1000)
        assert app.services is not None
        app.services.delivery.outbox.enqueue(
            [Message(private_chat("zalo", ZALO_BOT, p.id), "Nhắc việc") for p in (hoa, lan)],
            kind="test",
        )
        _, first = await _health(app)
        await eventually(lambda: len(fake_zalo.log.calls("sendMessage")) >= 4, what="retries")
        _, later = await _health(app)
        assert later["outbox"]["backlog"] == 2
        assert (
            later["outbox"]["oldest_pending_seconds"] > first["outbox"]["oldest_pending_seconds"]
        )

        fake_zalo.fail_next("getUpdates", error_code=401, description="Unauthorized")
        await fake_zalo.type_as(lan, None, "/huy")  # ends the open long poll; the next one is 401
        await eventually(lambda: not app.platforms[("zalo", ZALO_BOT)].receiving, what="the 401")
        status, body = await _health(app)
        assert status == 503 and body["status"] == "degraded"
        assert body["platforms"][f"zalo:{ZALO_BOT}"]["alive"] is False
    finally:
        await bot.stop()
