"""The Zalo webhook answers 200 only once the inbox holds what the call carried.

A real `python -m bot run` process takes one webhook call carrying many updates, and is killed
with SIGKILL the moment the 200 arrives. The order is what proves "200 implies stored": the
answer is read first and the kill follows at once, so anything the bot meant to do after
answering is cut off; the many updates make storing take far longer than the test needs to
react, so a bot that answered first (and stored in a task) loses most of them, every time.
Started again, the bot must handle every acknowledged update exactly once, since Zalo will not
send it again; a redelivery of the same call afterwards changes nothing. No reply leaves the
bot before the kill (the fake holds them), so "one reply per person" counts handlings.

The replies' pacing is not what this checks (the delivery tests do): without it the 300 replies
take a fraction of a second instead of Zalo's ten a second. Both starts are forked (no imports
to pay); what the bot does between the kill and the restart does not depend on how soon it
comes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.loopback import Hang
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_model import ZaloUser
from tests.support.harness import (
    ZALO_BOT,
    ZALO_TOKEN,
    BotProcess,
    bot_environ,
    eventually,
    write_config,
)
from tests.web.raw_http import RawClient, request_head

pytestmark = pytest.mark.slow
SECRET = "s3cret-webhook-token-for-tests"
PEOPLE = 300  # updates in the one call: storing them takes long enough to kill in between
PATH = f"/webhook/zalo/{ZALO_BOT}"
HEADERS = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
NO_LIMITS = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    server.add_bot(ZALO_TOKEN, max_users=PEOPLE)
    yield server
    await server.stop()


def _update(person: ZaloUser, n: int) -> dict[str, Any]:
    sender = {"id": person.id, "display_name": person.display_name, "is_bot": False}
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": f"m{n}", "date": 1_790_000_000_000 + n, "text": "/toi",
            "from": sender, "chat": {"id": person.id, "chat_type": "PRIVATE"},
        },
    }  # fmt: skip


def _messages(bot: BotProcess) -> list[str]:
    """What the latest start has logged so far."""
    found = []
    for line in bot.stderr().splitlines():
        try:
            found.append(str(json.loads(line).get("msg", "")))
        except ValueError:
            continue
    return found


def _web_port(bot: BotProcess) -> int | None:
    """The port of the latest start, from its "bot started" log line."""
    port = None
    for msg in _messages(bot):
        if msg.startswith("bot started") and "web_port=" in msg:
            port = int(msg.rsplit("web_port=", 1)[1].split()[0])
    return port


def _dropped(bot: BotProcess) -> int:
    """Updates the latest start has dropped as ones it had taken in already."""
    return sum(msg.startswith("duplicate update dropped") for msg in _messages(bot))


async def _start(bot: BotProcess) -> int:
    bot.log_path.write_text("")  # the latest start's lines only
    await bot.start()
    await eventually(lambda: _web_port(bot) is not None, timeout=60, what="the bot to start")
    port = _web_port(bot)
    assert port is not None
    return port


async def _post(port: int, body: bytes) -> int:
    client = await RawClient.connect(port)
    try:
        await client.send(request_head(PATH, HEADERS, length=len(body)) + body)
        return (await asyncio.wait_for(client.answer(), 60)).status
    finally:
        await client.close()


async def test_a_webhook_call_acknowledged_before_a_kill_is_handled_after_the_restart(
    tmp_path: Path, fake: FakeZalo
) -> None:
    people = [fake.user(f"Người {i}") for i in range(PEOPLE)]
    for person in people:
        fake.chats[(person.bot, person.id)].reachable = True  # they wrote first
    chats = [fake.private(p) for p in people]
    body = json.dumps({"ok": True, "result": [_update(p, i) for i, p in enumerate(people)]})
    config = write_config(
        tmp_path, admins=[], zalo_url=fake.base_url, mode="webhook",
        public_base_url="https://bot.example.org", extra={"delivery": {"zalo": NO_LIMITS}},
    )  # fmt: skip
    bot = BotProcess(config, bot_environ(webhook_secret=SECRET), forked=True)
    try:
        port = await _start(bot)
        fake.hang = Hang("sendMessage")  # replies wait at Zalo: none is carried out pre-kill
        client = await RawClient.connect(port)
        try:
            await client.send(request_head(PATH, HEADERS, length=len(body)) + body.encode())
            answer = await asyncio.wait_for(client.answer(), 60)
            await bot.kill()  # at once: no time for what the bot did not do before answering
        finally:
            await client.close()
        assert answer.status == 200, answer.body
        fake.hang = None  # the hung replies died with the process; new ones go through

        port = await _start(bot)
        replied = lambda: sum(1 for c in chats if fake.sent(c))  # noqa: E731
        try:
            await eventually(lambda: replied() == PEOPLE, timeout=60)
        except AssertionError:
            msg = f"{replied()} of {PEOPLE} acknowledged updates were handled after the restart"
            raise AssertionError(msg) from None
        # Zalo's retry policy is unknown [G]: a redelivery of the whole call is dropped, each
        # update as one taken in already (none is stored again, so none is handled again).
        assert await _post(port, body.encode()) == 200
        try:
            await eventually(lambda: _dropped(bot) >= PEOPLE, timeout=10)
        except AssertionError:
            msg = f"{_dropped(bot)} of {PEOPLE} redelivered updates were dropped as known"
            raise AssertionError(msg) from None
    finally:
        await bot.stop()
    replies = [len(fake.sent(c)) for c in chats]
    assert replies == [1] * PEOPLE, "each update handled exactly once"
