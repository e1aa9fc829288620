"""How a webhook body arrives, on both platforms, through a raw socket to the running bot's web
server: a body written in two pieces with a pause between them is read whole (Content-Length or
chunked) and its update handled once; a chunked body without a length is cut off with 413 once
it passes the 1 MB limit, without waiting for its end; a body that stops arriving is answered
408 after the read timeout instead of holding the handler. The bot keeps working after each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import ManualClock
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import ZALO_BOT, RunningBot, bot_environ, eventually, write_config
from tests.web.raw_http import RawClient, chunk, request_head

SECRET = "s3cret-webhook-token-for-tests"
LIMIT = 1024 * 1024  # both platforms cap webhook bodies at 1 MB
READ_TIMEOUT = 0.5  # the body read timeout, shortened for the test
PAUSE = 0.05  # between the two pieces of a body: long enough for the server to see the first


@dataclass
class Hook:
    """A running bot's webhook on one platform: where to post and what to post."""

    bot: RunningBot
    port: int
    path: str
    headers: dict[str, str]
    update: Callable[[int, int], dict[str, Any]]  # (update number, padding) -> an update

    def body(self, n: int, *, size: int = 0) -> bytes:
        """Update number `n` as JSON, padded (with a field nobody reads) to `size` bytes."""
        raw = json.dumps(self.update(n, 0)).encode()
        if len(raw) < size:
            raw = json.dumps(self.update(n, size - len(raw) - len(', "pad": ""'))).encode()
        return raw

    def head(self, *, length: int | None) -> bytes:
        return request_head(self.path, self.headers, length=length)

    async def post_whole(self, n: int) -> int:
        """Post update `n` in one piece; its status."""
        client = await RawClient.connect(self.port)
        try:
            body = self.body(n)
            await client.send(self.head(length=len(body)) + body)
            return (await client.answer()).status
        finally:
            await client.close()


def _telegram(n: int, pad: int) -> dict[str, Any]:
    user = {"id": 424242, "is_bot": False, "first_name": "Hoa"}
    update: dict[str, Any] = {
        "update_id": n,
        "message": {
            "message_id": n, "date": 1_790_000_000, "text": "/toi",
            "chat": {"id": 424242, "type": "private", "first_name": "Hoa"}, "from": user,
            "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
        },
    }  # fmt: skip
    if pad:
        update["pad"] = "x" * pad
    return update


def _zalo(user_id: str) -> Callable[[int, int], dict[str, Any]]:
    def update(n: int, pad: int) -> dict[str, Any]:
        person = {"id": user_id, "display_name": "Hoa", "is_bot": False}
        body: dict[str, Any] = {
            "event_name": "message.text.received",
            "message": {
                "message_id": f"m{n}", "date": 1_790_000_000_000, "text": "/toi",
                "from": person, "chat": {"id": user_id, "chat_type": "PRIVATE"},
            },
        }  # fmt: skip
        if pad:
            body["pad"] = "x" * pad
        return body

    return update


@pytest.fixture(params=["telegram", "zalo"])
async def hook(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock,
    fake_telegram: FakeTelegram, fake_zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Hook]:  # fmt: skip
    platform = request.param
    # raising=False: before the read timeout existed, these names did not either.
    monkeypatch.setattr("bot.platforms.telegram.intake.WEBHOOK_BODY_TIMEOUT", READ_TIMEOUT,
                        raising=False)  # fmt: skip
    monkeypatch.setattr("bot.platforms.zalo.webhook.BODY_TIMEOUT", READ_TIMEOUT, raising=False)
    fake = fake_telegram if platform == "telegram" else fake_zalo
    config = write_config(
        tmp_path, admins=[], mode="webhook", public_base_url="https://bot.example.org",
        **{f"{platform}_url": fake.base_url},
    )  # fmt: skip
    bot = RunningBot(config, bot_environ(webhook_secret=SECRET), clock)
    app = await bot.start()
    if platform == "telegram":
        hoa = fake_telegram.user(424242, "Hoa")
        fake_telegram.bot_state().started.add(fake_telegram.private(hoa).id)
        path, headers = "/webhook/telegram", {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        update = _telegram
    else:
        person = fake_zalo.user("Hoa")
        fake_zalo.chats[(person.bot, person.id)].reachable = True  # she wrote first
        path, headers = f"/webhook/zalo/{ZALO_BOT}", {"X-Bot-Api-Secret-Token": SECRET}
        update = _zalo(person.id)
    headers["Content-Type"] = "application/json"
    try:
        yield Hook(bot, app.web_port, path, headers, update)
    finally:
        await bot.stop()


def _counts(bot: RunningBot) -> tuple[int, int]:
    assert bot.app is not None and bot.app.inbound is not None
    return bot.app.inbound.handled, bot.app.inbound.duplicates


@pytest.mark.parametrize("size", [300, 5 * 1024])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_body_in_two_pieces_is_read_whole_and_handled_once(
    hook: Hook, size: int, framing: str
) -> None:
    body = hook.body(1, size=size)
    assert len(body) == size
    half = len(body) // 2
    client = await RawClient.connect(hook.port)
    try:
        if framing == "chunked":
            await client.send(hook.head(length=None) + chunk(body[:half]))
            await asyncio.sleep(PAUSE)
            await client.send(chunk(body[half:]) + chunk(b""))
        else:
            await client.send(hook.head(length=len(body)) + body[:half])
            await asyncio.sleep(PAUSE)
            await client.send(body[half:])
        answer = await asyncio.wait_for(client.answer(), 10)
    finally:
        await client.close()
    assert answer.status == 200, answer.body
    await eventually(lambda: _counts(hook.bot) == (1, 0), what="the update handled once")
    await asyncio.sleep(0.2)
    assert _counts(hook.bot) == (1, 0), "handled once, and only once"


async def test_a_chunked_body_past_the_limit_is_refused_without_waiting_for_its_end(
    hook: Hook,
) -> None:
    client = await RawClient.connect(hook.port)
    piece = b"x" * 65536
    sent = 0

    async def stream() -> None:
        # Past the limit by 2 MB, then the body stalls: it never ends.
        nonlocal sent
        await client.send(hook.head(length=None) + chunk(b'{"a":"'))
        while sent < LIMIT + 2 * 1024 * 1024:
            await client.send(chunk(piece))
            sent += len(piece)

    writer = asyncio.create_task(stream())
    try:
        answer = await asyncio.wait_for(client.answer(), 10)
        assert answer.status == 413, answer.body
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        await client.close()
    assert _counts(hook.bot) == (0, 0)
    assert await hook.post_whole(2) == 200, "the bot still takes updates"
    await eventually(lambda: _counts(hook.bot) == (1, 0), what="the next update")


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_body_that_stops_arriving_is_answered_408_after_the_read_timeout(
    hook: Hook, framing: str
) -> None:
    body = hook.body(1, size=300)
    client = await RawClient.connect(hook.port)
    loop = asyncio.get_running_loop()
    try:
        if framing == "chunked":
            await client.send(hook.head(length=None) + chunk(body[:150]))
        else:
            await client.send(hook.head(length=len(body)) + body[:150])
        began = loop.time()
        answer = await asyncio.wait_for(client.answer(), READ_TIMEOUT + 10)
        waited = loop.time() - began
    finally:
        await client.close()
    assert answer.status == 408, answer.body
    assert waited >= READ_TIMEOUT * 0.8, "the server waited for the rest first"
    assert _counts(hook.bot) == (0, 0)
    assert await hook.post_whole(2) == 200, "the bot still takes updates"
    await eventually(lambda: _counts(hook.bot) == (1, 0), what="the next update")
