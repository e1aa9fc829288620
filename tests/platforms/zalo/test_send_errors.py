"""Send refusals through the fake Zalo API, read by code and HTTP status rather than by words:
every 429 is the month's quota (Zalo documents no other), and an unreachable chat is known by
its code whatever Zalo writes beside it."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from bot.core.messages import ChatKind, ChatRef, Outgoing
from bot.core.platform import BadRequest, ChatUnreachable, QuotaExceeded
from bot.platforms.zalo.transport import ZaloPlatform
from tests.fakes.loopback import LoopbackServer
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import TOKEN, Sink

WORDS_429 = ["Quota exceeded", "Too many requests", "Flood control: rate limit", ""]


@pytest.mark.parametrize("words", WORDS_429)
async def test_every_429_is_the_quota_whatever_its_words(
    fake: FakeZalo, running: Any, words: str
) -> None:
    """Zalo's 429 is "quota exceeded": never retried as a flood, whatever its text says."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    fake.quota_description = words
    fake.bots[TOKEN].monthly_quota = 0
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    with pytest.raises(QuotaExceeded):
        await platform.send(Outgoing(chat, "một"))
    assert len(fake.log.calls("sendMessage")) == 1


async def test_the_undocumented_flood_mode_is_a_429_too(fake: FakeZalo, running: Any) -> None:
    """The fake's flood mode (a per-second limit Zalo does not publish) still answers 429,
    which the transport takes as the quota: a bot that needs it to be transient is wrong."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    fake.undocumented_flood_limits(per_second_per_chat=1)
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    await platform.send(Outgoing(chat, "một"))
    with pytest.raises(QuotaExceeded):
        await platform.send(Outgoing(chat, "hai"))


UNREACHABLE = [
    ({}, 404, "Không tìm thấy người nhận"),
    ({}, 404, "Not Found"),
    ({"errors_as_http_200": False}, 404, "Recipient unavailable"),
]


@pytest.mark.parametrize(
    ("fake", "code", "words"),
    [(options, code, words) for options, code, words in UNREACHABLE],
    indirect=["fake"],
)
async def test_an_unreachable_chat_is_known_by_its_code(
    fake: FakeZalo, running: Any, code: int, words: str
) -> None:
    """A chat that never wrote to the bot is unreachable by Zalo's 404, whatever the words
    (and whether the code comes in the body with HTTP 200 or as the HTTP status)."""
    fake.unreachable_error = (code, words)
    platform = await running(Sink())
    silent = ChatRef("zalo", "zalo1", fake.user("Im").id, ChatKind.PRIVATE)
    with pytest.raises(ChatUnreachable):
        await platform.send(Outgoing(silent, "chào"))
    unknown = ChatRef("zalo", "zalo1", "0123456789abcdef0123", ChatKind.PRIVATE)
    with pytest.raises(ChatUnreachable):
        await platform.send(Outgoing(unknown, "chào"))


async def test_a_bad_message_is_not_an_unreachable_chat(fake: FakeZalo, running: Any) -> None:
    """A 400 about the message itself stays BadRequest: the person is not marked unreachable."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    fake.fail_next("sendMessage", error_code=400, description="Tham số không hợp lệ")
    with pytest.raises(BadRequest) as refused:
        await platform.send(Outgoing(chat, "một"))
    assert not isinstance(refused.value, ChatUnreachable)


async def test_a_404_page_not_from_zalo_is_not_an_unreachable_chat() -> None:
    """A wrong API base URL answers 404 pages: that must not mark every person unreachable."""

    async def not_found(request: web.Request) -> web.Response:
        return web.Response(status=404, text="nope")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", not_found)
    server = LoopbackServer(app)
    base = await server.start()
    try:
        platform = ZaloPlatform(name="zalo1", token=TOKEN, api_base_url=base)
        chat = ChatRef("zalo", "zalo1", "0123456789abcdef0123", ChatKind.PRIVATE)
        with pytest.raises(Exception) as failed:
            await platform.send(Outgoing(chat, "chào"))
        assert not isinstance(failed.value, ChatUnreachable)
        await platform.close()
    finally:
        await server.stop()
