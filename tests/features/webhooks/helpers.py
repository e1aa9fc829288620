"""A bot with one webhook endpoint (the fake receiver), on the loop's time, and its team."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.fakes.webhook_receiver import WebhookReceiver
from tests.support.harness import Person, RunningBot, TelegramDriver, bot_environ, write_config
from tests.support.virtual_time import LoopClock

SECRET = "s3cret-for-the-dashboard-only"
BASE = 2.0  # webhooks.retry_base_seconds: the first retry after ~2 s, then ~4 s, ~8 s…
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday morning in Vietnam


def hooked_bot(tmp_path: Path, receiver: WebhookReceiver) -> RunningBot:
    """A bot on the loop's time (backoff waits pass without waiting), whose clock the receiver
    shares to judge timestamps; its config is written by `hooked_config`."""
    clock = LoopClock(asyncio.get_running_loop(), start=START)
    receiver.clock = lambda: clock.now().timestamp()
    env = {**bot_environ(), "WEBHOOK_SECRET_DASHBOARD": SECRET}
    return RunningBot(tmp_path / "config.yaml", env, clock)


def hooked_config(tmp_path: Path, receiver: WebhookReceiver, admin: Person, **urls: Any) -> None:
    """The test config with the endpoint `dashboard` at the receiver; `urls`: the fakes'."""
    hooks = {"endpoints": [{"name": "dashboard", "url": receiver.url}],
             "retry_base_seconds": BASE, "retry_max_seconds": 60}  # fmt: skip
    write_config(tmp_path, admins=[admin.key], extra={"webhooks": hooks}, **urls)


async def register(tg: TelegramDriver, admin: Person, roles: list[Any]) -> None:
    """The admin (in config) gives each (driver, person, role, area) their role; everyone has
    written to the bot first."""
    await tg.say(admin, tg.private(admin), "/batdau")
    for driver, person, role, area in roles:
        await driver.say(person, driver.private(person), "/batdau")
        me = (await driver.say(person, driver.private(person), "/toi"))[0]
        number = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
        await tg.say(admin, tg.private(admin), f"/vaitro {number} {role} {area}")
