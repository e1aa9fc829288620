"""The fakes' hang fault (loopback.Hang): a request is taken in and left without an answer; one
whose client gives up is never carried out, one still waiting at release is carried out and
answered. Methods not named keep answering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from tests.fakes.loopback import Hang
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

# The fakes' own tests stand apart from the bot's harness (import-linter keeps them apart).
TG_TOKEN = "123456:TEST-token"
ZALO_TOKEN = "1234567890:abcdefSECRET"


async def eventually(check: Callable[[], bool], *, what: str, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def _chat(platform: str, fake: Any) -> tuple[str, Any, str]:
    """A private chat the bot may write to: the token, the chat, and its id."""
    if platform == "telegram":
        user = fake.user(4242, "Lan")
        chat = fake.private(user)
        fake.bot_state().started.add(chat.id)
        return TG_TOKEN, chat, str(chat.id)
    person = fake.user("Lan")
    await fake.type_as(person, None, "chào")  # a Zalo bot may write only to who wrote first
    return ZALO_TOKEN, fake.private(person), person.id


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegram, FakeZalo]]:
    telegram, zalo = FakeTelegram(), FakeZalo()
    await telegram.start()
    await zalo.start()
    telegram.add_bot(TG_TOKEN, username="DansoBot")
    zalo.add_bot(ZALO_TOKEN, name="Bot Dân số")
    yield telegram, zalo
    await telegram.stop()
    await zalo.stop()


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_hang_answers_nothing_until_released(
    platform: str, fakes: tuple[FakeTelegram, FakeZalo]
) -> None:
    fake: Any = fakes[0] if platform == "telegram" else fakes[1]
    token, chat, chat_id = await _chat(platform, fake)
    hang = Hang("sendMessage")
    fake.hang = hang
    url = f"{fake.base_url}/bot{token}"
    body = {"chat_id": chat_id, "text": "lúc mất mạng"}
    async with aiohttp.ClientSession() as http:
        short = aiohttp.ClientTimeout(total=0.2)
        with pytest.raises(TimeoutError):
            async with http.post(f"{url}/sendMessage", json=body, timeout=short) as resp:
                await resp.read()
        async with http.post(f"{url}/getMe", json={}) as resp:
            assert resp.status == 200, "a method not named still answers"

        async def patient() -> dict[str, Any]:
            async with http.post(f"{url}/sendMessage", json=body) as resp:
                return await resp.json()

        waiting = asyncio.create_task(patient())
        await eventually(lambda: hang.hung == 2, what="the second request taken in")
        assert fake.sent(chat) == [], "nothing hung is carried out"
        hang.release()
        answer = await waiting
    assert answer["ok"] is True
    assert [m.text for m in fake.sent(chat)] == ["lúc mất mạng"], "only the one still waiting"
    sends = [e for e in fake.log.entries if e.method == "sendMessage"]
    assert [(e.status, e.hung) for e in sends] == [(0, False), (0, False), (200, True)]
