"""`python -m bot webhook set|info|delete` against the fake Telegram and Zalo APIs: what each
platform ends up holding, what is refused before any call, and that no token is printed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support import store_choice
from tests.support.harness import (
    TG_TOKEN,
    ZALO_BOT,
    ZALO_TOKEN,
    bot_environ,
    eventually,
    write_config,
)

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://bot.example.vn"
SECRET = "s3cret-Webhook_token"
pytestmark = pytest.mark.slow


async def _cli(config: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "webhook", *args, "--config", str(config), cwd=ROOT,
        env={**clean, **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in (TG_TOKEN, ZALO_TOKEN, SECRET, TG_TOKEN.split(":")[1]):
            assert secret not in text


async def test_set_info_delete_on_both_platforms(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    config = write_config(
        tmp_path, admins=[], telegram_url=fake_telegram.base_url, zalo_url=fake_zalo.base_url,
        mode="webhook", public_base_url=PUBLIC,
    )  # fmt: skip
    env = bot_environ(webhook_secret=SECRET)
    store_choice.open_configured(config, env).close()  # the bot has run once

    code, out, err = await _cli(config, env, "set")
    assert code == 0, err
    tg, zl = fake_telegram.bot_state(), fake_zalo.bots[ZALO_TOKEN]
    assert (tg.webhook_url, tg.webhook_secret) == (f"{PUBLIC}/webhook/telegram", SECRET)
    assert "poll_answer" in tg.allowed_updates and "callback_query" in tg.allowed_updates
    assert (zl.webhook_url, zl.webhook_secret) == (f"{PUBLIC}/webhook/zalo/{ZALO_BOT}", SECRET)
    assert f"telegram: webhook set to {PUBLIC}/webhook/telegram" in out
    assert f"zalo:{ZALO_BOT}: webhook set to {PUBLIC}/webhook/zalo/{ZALO_BOT}" in out

    code, out, info_err = await _cli(config, env, "info")
    assert code == 0, info_err
    assert f"url: {PUBLIC}/webhook/telegram" in out and "pending updates: 0" in out
    assert f"url: {PUBLIC}/webhook/zalo/{ZALO_BOT}" in out

    code, out, delete_err = await _cli(config, env, "delete", "--platform", "zalo")
    assert code == 0, delete_err
    assert zl.webhook_url == "" and tg.webhook_url == f"{PUBLIC}/webhook/telegram"
    code, out, delete_err = await _cli(config, env, "delete")
    assert code == 0 and tg.webhook_url == ""
    code, out, info_err = await _cli(config, env, "info", "--bot", ZALO_BOT)
    assert code == 0 and "url: (none: the bot polls)" in out and "telegram" not in out
    _no_secrets(out, err, info_err, delete_err)

    store = store_choice.open_configured(config, env)  # the store the bot uses
    try:
        trail = [(e.action, e.target) for e in store.audit.recent(10)]
    finally:
        store.close()
    assert sorted(trail) == sorted([
        ("webhook.set", "telegram"), ("webhook.set", f"zalo:{ZALO_BOT}"),
        ("webhook.delete", f"zalo:{ZALO_BOT}"), ("webhook.delete", "telegram"),
        ("webhook.delete", f"zalo:{ZALO_BOT}"),  # "delete" with no --platform: both again
    ])  # fmt: skip


async def test_info_shows_telegram_pending_updates_and_the_last_delivery_error(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """A webhook answering 500: Telegram keeps the update and says why; info prints both."""

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    app = web.Application()
    app.router.add_post("/hook", broken)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as http:
            url = f"{fake_telegram.base_url}/bot{TG_TOKEN}/setWebhook"
            await http.post(url, json={"url": f"http://127.0.0.1:{port}/hook"})
        user = fake_telegram.user(4242, "Chị Hoa")
        fake_telegram.type_as(user, fake_telegram.private(user), "/batdau")
        await eventually(lambda: fake_telegram.bot_state().last_error_date > 0, what="a failure")
        config = write_config(tmp_path, admins=[], telegram_url=fake_telegram.base_url)
        code, out, err = await _cli(config, bot_environ(), "info", "--platform", "telegram")
    finally:
        await runner.cleanup()
    assert code == 0, err
    assert "pending updates: 1" in out
    assert "Wrong response from the webhook: 500 Internal Server Error" in out
    assert "mode: polling" in out
    _no_secrets(out, err)


async def test_set_refuses_without_https_or_a_secret_and_calls_nothing(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    config = write_config(
        tmp_path, admins=[], telegram_url=fake_telegram.base_url, zalo_url=fake_zalo.base_url,
        public_base_url="http://bot.example.vn",
    )  # fmt: skip
    code, _, err = await _cli(config, bot_environ(webhook_secret=SECRET), "set")
    assert code == 2
    assert "must be https://, not http://bot.example.vn/webhook/telegram" in err
    assert f"zalo:{ZALO_BOT}: the webhook address must be https://" in err

    config = write_config(
        tmp_path, admins=[], telegram_url=fake_telegram.base_url, zalo_url=fake_zalo.base_url,
        public_base_url=PUBLIC,
    )  # fmt: skip
    code, _, err = await _cli(config, bot_environ(), "set", "--platform", "zalo")
    assert code == 2
    assert f"ZALO_WEBHOOK_SECRET_{ZALO_BOT.upper()} is not set" in err
    code, _, err = await _cli(config, bot_environ(), "set", "--bot", "zalo9")
    assert code == 2 and "no Zalo bot 'zalo9'" in err
    _no_secrets(err)
    assert fake_telegram.bot_state().webhook_url == "" == fake_zalo.bots[ZALO_TOKEN].webhook_url
    assert not fake_telegram.log.calls("setWebhook") and not fake_zalo.log.calls("setWebhook")
