"""Tests of the Zalo adapter (client, polling, webhook, sends) against the fake Zalo API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.core.messages import ChatKind, ChatRef, OutFile, Outgoing, UserRef
from bot.core.platform import BadRequest, ChatUnreachable, QuotaExceeded, RetryLater
from bot.platforms.zalo.client import (
    ZaloUnauthorized,
)
from bot.platforms.zalo.transport import ZaloPlatform
from tests.fakes.loopback import LoopbackServer
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import FAST, SECRET, TOKEN, TOKEN2, Sink, until


async def test_polling_delivers_text(fake: FakeZalo, running: Any) -> None:
    """A private text arrives as an Incoming with per-bot identities and a ms date converted."""
    sink = Sink()
    await running(sink)
    lan = fake.user("Lan")
    update = await fake.type_as(lan, None, "/bc sinh 2")
    (got,) = await sink.wait()
    assert update is not None
    message = update["message"]
    assert got.update_id == got.message_id == message["message_id"]
    assert got.chat == ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    assert got.sender == UserRef("zalo", "zalo1", lan.id)
    assert (got.sender_name, got.text, got.mentions_bot) == ("Lan", "/bc sinh 2", False)
    assert int(got.date.timestamp() * 1000) == message["date"]


async def test_polling_delivers_image_and_group_mention(fake: FakeZalo, running: Any) -> None:
    """Images become photo attachments with the caption as text; a group mention is stripped."""
    sink = Sink()
    await running(sink)
    lan = fake.user("Lan")
    group = fake.group("Xã Cẩm Xuyên")
    await fake.send_image_as(
        lan, None, "https://img.vn/a.jpg", caption="sổ tháng 3", field="photo"
    )
    await fake.type_as(lan, group, "@Bot Dân số: /bc tu 1")
    image, mention = await sink.wait(2)
    assert image.text == "sổ tháng 3"
    assert [(a.kind, a.url) for a in image.attachments] == [("photo", "https://img.vn/a.jpg")]
    assert mention.chat == ChatRef("zalo", "zalo1", group.id, ChatKind.GROUP)
    assert (mention.text, mention.mentions_bot) == ("/bc tu 1", True)


@pytest.mark.parametrize("fake", [{"redeliver": True}], indirect=True)
async def test_redelivered_update_is_handled_once_without_spinning(
    fake: FakeZalo, running: Any
) -> None:
    """With Zalo redelivering consumed updates the sink gets one call and polls stay paced."""
    sink = Sink()
    await running(sink)
    await fake.type_as(fake.user("Lan"), None, "một lần thôi")
    await sink.wait()
    before = len(fake.log.calls("getUpdates"))
    await asyncio.sleep(0.6)  # an observation window, not a wait for something
    polls = len(fake.log.calls("getUpdates")) - before
    assert len(sink.got) == 1
    # Paced at 0.1 s this is about 6; a spinning poller makes hundreds on loopback.
    assert 1 <= polls <= 20


async def test_idle_408_polls_again_and_then_delivers(fake: FakeZalo, running: Any) -> None:
    """Idle 408 answers keep the loop going and mark the transport alive."""
    sink = Sink()
    platform = await running(sink)
    await until(lambda: sum(c.status == 408 for c in fake.log.calls("getUpdates")) >= 2)
    assert platform.polling and platform.last_receive_at is not None
    await fake.type_as(fake.user("Lan"), None, "sau khi chờ")
    assert (await sink.wait())[0].text == "sau khi chờ"


async def test_retryable_poll_errors_back_off_and_401_stops(fake: FakeZalo, running: Any) -> None:
    """403 on getUpdates is retried; a 401 stops the polling task."""
    fake.fail_next("getUpdates", error_code=403, description="internal server error", times=3)
    sink = Sink()
    platform = await running(sink)
    await fake.type_as(fake.user("Lan"), None, "vẫn tới")
    await sink.wait()
    fake.fail_next("getUpdates", error_code=401, description="Unauthorized")
    await until(lambda: not platform.polling)
    assert [c.ok for c in fake.log.calls("getUpdates")][:3] == [False, False, False]


async def test_long_text_is_split_at_2000(fake: FakeZalo, running: Any) -> None:
    """A 4500-character text goes out as three messages of at most 2000 characters."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    words = " ".join(f"từ{i}" for i in range(900))
    ref = await platform.send(Outgoing(chat, words))
    sent = fake.sent(fake.private(lan))
    assert len(sent) == len(ref.message_ids) == 3
    assert all(len(m.text) <= 2000 for m in sent)
    assert " ".join(m.text for m in sent) == words
    assert ref.message_ids == tuple(m.message_id for m in sent)


async def test_send_errors_become_neutral(fake: FakeZalo, running: Any) -> None:
    """403 and 5xx become RetryLater, 429 QuotaExceeded, a silent chat ChatUnreachable."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    fake.fail_next("sendMessage", error_code=403, description="internal server error")
    fake.fail_next("sendPhoto", error_code=502, description="Bad Gateway", http_status=502)
    with pytest.raises(RetryLater) as retry:
        await platform.send(Outgoing(chat, "a"))
    assert 0 < retry.value.retry_after <= FAST.maximum
    with pytest.raises(RetryLater):
        await platform.send(Outgoing(chat, "b", file=OutFile("a.jpg", "photo", url="https://i/a")))
    fake.bots[TOKEN].monthly_quota = fake.quota_used()
    with pytest.raises(QuotaExceeded):
        await platform.send(Outgoing(chat, "c"))
    fake.bots[TOKEN].monthly_quota = 3000
    silent = ChatRef("zalo", "zalo1", fake.user("Im").id, ChatKind.PRIVATE)
    with pytest.raises(ChatUnreachable):
        await platform.send(Outgoing(silent, "d"))
    with pytest.raises(BadRequest):
        await platform.send(Outgoing(chat, "e", file=OutFile("a.pdf", data=b"%PDF")))
    with pytest.raises(BadRequest):
        await platform.edit(chat, "x", "y")
    assert fake.sent(fake.private(lan)) == []


async def test_photo_and_document_links(fake: FakeZalo, running: Any) -> None:
    """A photo URL goes out by sendPhoto with its caption; another file as text plus its URL."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    url = fake.host_media(b"\xff\xd8a")  # Zalo fetches a sendPhoto URL: it must answer
    await platform.send(Outgoing(chat, "Ảnh", file=OutFile("a.jpg", "photo", url=url)))
    await platform.send(Outgoing(chat, "Kế hoạch", file=OutFile("k.pdf", url="https://f/k.pdf")))
    photo, doc = fake.sent(fake.private(lan))
    assert (photo.kind, photo.photo, photo.caption) == ("photo", url, "Ảnh")
    assert fake.media_fetches == [(url, 200)]
    assert doc.text == "Kế hoạch\nhttps://f/k.pdf"


@pytest.mark.parametrize("fake", [{"echo_bot_messages": True}], indirect=True)
async def test_own_messages_are_dropped(fake: FakeZalo, running: Any) -> None:
    """Updates from the bot itself (Zalo echoes sends) never reach the sink."""
    sink = Sink()
    platform = await running(sink)
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "một")
    await sink.wait()
    await platform.send(Outgoing(sink.got[0].chat, "bot nói"))
    await fake.type_as(lan, None, "hai")
    await sink.wait(2)
    assert [i.text for i in sink.got] == ["một", "hai"]
    assert fake.log.calls("getUpdates")  # the echo went through the queue and was polled


@pytest.fixture
async def webhook_site() -> AsyncIterator[Callable[..., Any]]:
    """Serve a platform's routes on loopback, the way the shared web server does."""
    servers: list[LoopbackServer] = []

    async def serve(platform: ZaloPlatform) -> str:
        app = web.Application()
        app.add_routes(platform.routes())
        server = LoopbackServer(app)
        servers.append(server)
        return await server.start()

    yield serve
    for server in servers:
        await server.stop()


@pytest.mark.parametrize(
    "fake", [{"webhook_shape": "flat"}, {"webhook_shape": "wrapped"}], indirect=True
)
async def test_webhook_delivers_both_shapes(fake: FakeZalo, webhook_site: Any) -> None:
    """In webhook mode start() sets the webhook and both body shapes reach the sink."""
    sink = Sink()
    platform = ZaloPlatform(
        name="zalo1", token=TOKEN, api_base_url=fake.base_url, mode="webhook",
        webhook_path="/webhook/zalo/zalo1", webhook_secret=SECRET,
    )  # fmt: skip
    base = await webhook_site(platform)
    platform.webhook_url = f"{base}/webhook/zalo/zalo1"
    await platform.start(sink)
    try:
        await fake.type_as(fake.user("Lan"), None, f"qua webhook {fake.webhook_shape}")
        (got,) = await sink.wait()
    finally:
        await platform.close()
    assert got.text == f"qua webhook {fake.webhook_shape}"
    assert fake.bots[TOKEN].webhook_secret == SECRET
    assert fake.webhook_deliveries[0].status == 200
    assert not fake.log.calls("getUpdates")


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b'{"event_name":"message.text.received"}', 401),
        ({"X-Bot-Api-Secret-Token": "wrong-secret"}, b"{}", 401),
        ({"X-Bot-Api-Secret-Token": SECRET}, b"not json", 400),
    ],
)
async def test_webhook_refuses_bad_calls(
    headers: dict[str, str], body: bytes, status: int, webhook_site: Any
) -> None:
    """A missing or wrong secret gets 401 and bad JSON 400; nothing reaches the sink."""
    platform = ZaloPlatform(
        name="zalo1", token=TOKEN, mode="webhook", webhook_secret=SECRET,
        api_base_url="http://127.0.0.1:9",  # never called: start() is not needed here
    )  # fmt: skip
    sink = Sink()
    platform._sink = sink  # the route alone is under test, as the web server mounts it
    base = await webhook_site(platform)
    headers = headers | {"Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}/webhook/zalo/zalo1", data=body, headers=headers) as resp,
    ):
        assert resp.status == status
    assert sink.got == []


async def test_webhook_before_start_is_refused(webhook_site: Any) -> None:
    """A webhook call before start() gets 503, so the update is not marked seen and lost."""
    platform = ZaloPlatform(name="zalo1", token=TOKEN, mode="webhook", webhook_secret=SECRET)
    base = await webhook_site(platform)
    headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}/webhook/zalo/zalo1", data=b"{}", headers=headers) as resp,
    ):
        assert resp.status == 503


async def test_two_bots_keep_separate_identities(fake: FakeZalo, running: Any) -> None:
    """One person through two bots is two accounts; replies go out through the right bot."""
    fake.add_bot(TOKEN2, name="Bot Hai")
    sink1, sink2 = Sink(), Sink()
    one = await running(sink1, name="zalo1", token=TOKEN)
    two = await running(sink2, name="zalo2", token=TOKEN2)
    lan1, lan2 = fake.user("Lan", bot=TOKEN), fake.user("Lan", bot=TOKEN2)
    await fake.type_as(lan1, None, "qua bot một")
    await fake.type_as(lan2, None, "qua bot hai")
    (got1,), (got2,) = await sink1.wait(), await sink2.wait()
    assert (got1.sender.bot, got2.sender.bot) == ("zalo1", "zalo2")
    assert got1.sender.key != got2.sender.key
    assert (one.bot_id, two.bot_id) == ("1234567890", "9876543210")
    await two.send(Outgoing(got2.chat, "trả lời"))
    assert [m.text for m in fake.sent(fake.private(lan2))] == ["trả lời"]
    assert fake.sent(fake.private(lan1)) == []


async def test_token_never_logged(
    fake: FakeZalo, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A full polling, send and error scenario logs nothing containing the token."""
    caplog.set_level(logging.DEBUG)
    fake.fail_next("getUpdates", error_code=403, description="internal server error")
    sink = Sink()
    platform = await running(sink)
    await fake.type_as(fake.user("Lan"), None, "chào")
    (got,) = await sink.wait()
    await platform.send(Outgoing(got.chat, "chào lại"))
    fake.fail_next("sendMessage", error_code=403, description="internal server error")
    with pytest.raises(RetryLater) as failure:
        await platform.send(Outgoing(got.chat, "lỗi"))
    with pytest.raises(ZaloUnauthorized) as bad:
        await running(Sink(), name="zalo9", token="555:wrongTOKEN")
    text = caplog.text + str(failure.value) + repr(bad.value) + repr(platform)
    assert "getUpdates" in caplog.text  # the scenario did log at DEBUG
    for secret in ("tokSECRETone", "wrongTOKEN", TOKEN):
        assert secret not in text
