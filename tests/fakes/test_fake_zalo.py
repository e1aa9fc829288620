"""Tests of the fake Zalo Bot API itself, over real HTTP with a bare aiohttp client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.loopback import LoopbackServer
from tests.fakes.zalo_api import FakeZalo

TOKEN = "1234567890:abcdefSECRET"
OTHER = "2222222222:otherSECRET"
HEX20 = re.compile(r"^[0-9a-f]{20}$")


class Api:
    """A bare client: POST JSON to /bot{token}/{method}, return (HTTP status, body)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def __call__(self, method: str, token: str = TOKEN, **params: Any) -> tuple[int, Any]:
        url = f"{self.base}/bot{token}/{method}"
        async with self.session.post(url, json=params) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(allow_http_webhook=True)
    server.add_bot(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def api(fake: FakeZalo) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, fake.base_url)


async def test_get_me_and_bad_token(fake: FakeZalo, api: Api) -> None:
    """getMe describes the bot; a junk token gets HTTP 200 with ok:false and code 401."""
    status, body = await api("getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"]["id"] == "1234567890"
    assert body["result"]["account_type"] == "BASIC"
    assert body["result"]["can_join_groups"] is False
    assert body["result"]["account_name"].startswith("bot.")
    assert set(body["result"]) == {"id", "account_name", "account_type", "can_join_groups"}
    status, body = await api("getMe", token="junk")
    assert (status, body["ok"], body["error_code"]) == (200, False, 401)


async def test_one_update_per_call_then_408(fake: FakeZalo, api: Api) -> None:
    """getUpdates returns one update object per call, in order, then 408 when idle."""
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "một")
    await fake.type_as(lan, None, "hai")
    _, first = await api("getUpdates", timeout="0")
    _, second = await api("getUpdates", timeout="0")
    assert isinstance(first["result"], dict)
    assert first["result"]["event_name"] == "message.text.received"
    assert [first["result"]["message"]["text"], second["result"]["message"]["text"]] == [
        "một",
        "hai",
    ]
    message = first["result"]["message"]
    assert message["from"] == {"id": lan.id, "display_name": "Lan", "is_bot": False}
    assert message["chat"] == {"id": lan.id, "chat_type": "PRIVATE"}
    assert message["date"] > 10**12  # milliseconds
    assert HEX20.match(message["message_id"])
    status, idle = await api("getUpdates", timeout="0")
    assert status == 408
    assert idle == {"ok": False, "description": "Request timeout"}  # measured: no error_code


async def test_long_poll_ends_when_an_update_arrives(fake: FakeZalo, api: Api) -> None:
    """A waiting getUpdates answers with the update typed while it waits."""
    lan = fake.user("Lan")
    poll = asyncio.create_task(api("getUpdates", timeout="30"))
    await fake.wait_polling()
    await fake.type_as(lan, None, "xin chào")
    status, body = await asyncio.wait_for(poll, 5)
    assert status == 200
    assert body["result"]["message"]["text"] == "xin chào"


async def test_redeliver_mode_returns_consumed_updates_again() -> None:
    """With redeliver=True a consumed update comes back on the next poll."""
    server = FakeZalo(redeliver=True)
    server.add_bot(TOKEN)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(session, server.base_url)
            await server.type_as(server.user("Lan"), None, "lặp")
            _, first = await api("getUpdates", timeout="0")
            _, again = await api("getUpdates", timeout="0")
        assert again["result"] == first["result"]
    finally:
        await server.stop()


async def test_consumed_updates_do_not_come_back_by_default(fake: FakeZalo, api: Api) -> None:
    """Without redeliver a returned update is consumed."""
    await fake.type_as(fake.user("Lan"), None, "một lần")
    await api("getUpdates", timeout="0")
    status, _ = await api("getUpdates", timeout="0")
    assert status == 408


async def test_quota_is_per_bot(fake: FakeZalo, api: Api) -> None:
    """When one bot's monthly quota is spent it gets 429; another bot still sends."""
    fake.add_bot(OTHER, name="Bot Hai", monthly_quota=2)
    hoa = fake.user("Hoa", bot=OTHER)
    await fake.type_as(hoa, None, "chào")
    results = [(await api("sendMessage", token=OTHER, chat_id=hoa.id, text="x"))[1] for _ in "abc"]
    assert [r["ok"] for r in results] == [True, True, False]
    assert results[2]["error_code"] == 429
    assert "quota" in results[2]["description"].lower()
    lan = fake.user("Lan", bot=TOKEN)
    await fake.type_as(lan, None, "chào")
    _, body = await api("sendMessage", chat_id=lan.id, text="vẫn gửi được")
    assert body["ok"] is True
    assert fake.quota_used(OTHER) == 2 and fake.quota_used(TOKEN) == 1


async def test_text_limit_is_2000(fake: FakeZalo, api: Api) -> None:
    """sendMessage takes 1 to 2000 characters and refuses 0 or 2001 with 400."""
    lan = fake.user("Lan")
    chat = fake.private(lan)
    await fake.type_as(lan, chat, "chào")
    _, ok = await api("sendMessage", chat_id=lan.id, text="a" * 2000)
    _, long = await api("sendMessage", chat_id=lan.id, text="a" * 2001)
    _, empty = await api("sendMessage", chat_id=lan.id, text="")
    assert ok["ok"] is True and set(ok["result"]) == {"message_id", "date"}
    assert (long["error_code"], empty["error_code"]) == (400, 400)
    assert [m.text for m in fake.sent(chat)] == ["a" * 2000]


async def test_only_chats_that_wrote_can_be_reached(fake: FakeZalo, api: Api) -> None:
    """Sending to a silent user's chat or an unknown chat id is refused with Zalo's 404 and
    words that are not ours (Zalo's wording is undocumented)."""
    silent = fake.user("Im lặng")
    _, to_silent = await api("sendMessage", chat_id=silent.id, text="chào")
    _, to_unknown = await api("sendMessage", chat_id="ffffffffffffffffffff", text="chào")
    assert (to_silent["ok"], to_silent["error_code"]) == (False, 404)
    assert (to_unknown["ok"], to_unknown["error_code"]) == (False, 404)
    assert "not found" not in to_silent["description"].casefold()
    assert fake.quota_used() == 0


async def test_user_ids_are_scoped_per_bot(fake: FakeZalo) -> None:
    """The same person gets a different 20-hex-digit id through each bot."""
    fake.add_bot(OTHER, name="Bot Hai")
    via_one, via_two = fake.user("Lan", bot=TOKEN), fake.user("Lan", bot=OTHER)
    assert via_one.id != via_two.id
    assert HEX20.match(via_one.id) and HEX20.match(via_two.id)
    assert fake.private(via_two).id == via_two.id


async def test_group_gets_only_mentions_and_replies(fake: FakeZalo, api: Api) -> None:
    """In a group the bot receives a mention or a reply to its message, never plain talk."""
    lan = fake.user("Lan")
    group = fake.group("Xã Thạch Hà")
    assert await fake.type_as(lan, group, "chuyện phiếm") is None
    mention = await fake.type_as(lan, group, "@Bot Dân số /bc sinh 2")
    assert mention is not None and mention["message"]["chat"]["chat_type"] == "GROUP"
    _, got = await api("getUpdates", timeout="0")
    assert got["result"]["message"]["text"] == "@Bot Dân số /bc sinh 2"
    _, sent = await api("sendMessage", chat_id=group.id, text="Đã lưu")
    assert await fake.type_as(lan, group, "sửa lại", reply_to=sent["result"]["message_id"])
    assert await fake.type_as(lan, group, "trả lời người khác", reply_to="0" * 20) is None
    assert [m.delivered for m in fake.history(group) if not m.from_bot] == [
        False,
        True,
        True,
        False,
    ]


async def test_webhook_delivery_flat_and_wrapped() -> None:
    """Updates are POSTed to the webhook with the secret header, flat or wrapped."""
    received: list[tuple[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Bot-Api-Secret-Token", ""), await request.json()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = LoopbackServer(app)
    hook_url = f"{await receiver.start()}/hook"
    try:
        for shape in ("flat", "wrapped"):
            server = FakeZalo(webhook_shape=shape, allow_http_webhook=True)  # type: ignore[arg-type]
            server.add_bot(TOKEN)
            await server.start()
            async with aiohttp.ClientSession() as session:
                api = Api(session, server.base_url)
                _, body = await api("setWebhook", url=hook_url, secret_token="s3cret-value")
                assert body["result"]["url"] == hook_url
                await server.type_as(server.user("Lan"), None, shape)
                status, _ = await api("getUpdates", timeout="0")
                assert status == 200  # the error answer is HTTP 200 with ok:false
            await server.stop()
            assert server.webhook_deliveries[-1].status == 200
    finally:
        await receiver.stop()
    (secret1, flat), (secret2, wrapped) = received
    assert secret1 == secret2 == "s3cret-value"
    assert flat["event_name"] == "message.text.received" and flat["message"]["text"] == "flat"
    assert wrapped["ok"] is True and wrapped["result"]["message"]["text"] == "wrapped"


async def test_webhook_settings_are_validated(fake: FakeZalo, api: Api) -> None:
    """setWebhook needs HTTPS (unless allowed) and an 8-256 char secret; info 404s without one."""
    strict = FakeZalo()
    strict.add_bot(TOKEN)
    await strict.start()
    try:
        strict_api = Api(api.session, strict.base_url)
        _, plain = await strict_api("setWebhook", url="http://x.vn/h", secret_token="12345678")
        assert plain["error_code"] == 400
    finally:
        await strict.stop()
    _, short = await api("setWebhook", url="https://x.vn/h", secret_token="short")
    assert short["error_code"] == 400
    status, info = await api("getWebhookInfo")
    assert (status, info) == (404, {"ok": False, "description": "Not Found"})
    await api("setWebhook", url="https://x.vn/h", secret_token="12345678")
    _, polled = await api("getUpdates", timeout="0")
    assert (polled["ok"], polled["error_code"]) == (False, 400)
    _, deleted = await api("deleteWebhook")
    assert deleted["result"]["url"] == ""


async def test_faults_unknown_method_and_log(fake: FakeZalo, api: Api) -> None:
    """fail_next injects errors; unknown methods 404; every request is logged."""
    fake.fail_next("getMe", error_code=403, description="internal server error", times=2)
    answers = [(await api("getMe"))[1] for _ in range(3)]
    assert [a.get("error_code") for a in answers] == [403, 403, None]
    status, body = await api("editMessage")
    assert (status, body["error_code"]) == (404, 404)
    calls = fake.log.calls("getMe", token=TOKEN)
    assert [c.ok for c in calls] == [False, False, True]
    assert fake.log.calls("editMessage")[0].status == 404


async def test_flood_limit_and_chat_action(fake: FakeZalo, api: Api) -> None:
    """The UNDOCUMENTED flood mode, when a test turns it on, answers with its error;
    sendChatAction answers ok without a result."""
    fake.undocumented_flood_limits(
        per_second_per_chat=1, error_code=429, description="Too many requests"
    )
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    _, first = await api("sendMessage", chat_id=lan.id, text="1")
    _, second = await api("sendMessage", chat_id=lan.id, text="2")
    assert first["ok"] is True
    assert (second["error_code"], second["description"]) == (429, "Too many requests")
    _, typing = await api("sendChatAction", chat_id=lan.id, action="typing")
    assert typing == {"ok": True}
    assert fake.quota_used() == 1


async def test_image_sticker_and_wait_sent(fake: FakeZalo, api: Api) -> None:
    """Image and sticker events carry their fields; wait_sent returns the bot's messages."""
    lan = fake.user("Lan")
    image = await fake.send_image_as(lan, None, "https://img.vn/a.jpg", caption="ảnh")
    sticker = await fake.send_sticker_as(lan)
    assert image is not None and sticker is not None
    assert image["event_name"] == "message.image.received"
    assert image["message"]["photo_url"] == "https://img.vn/a.jpg"
    assert sticker["message"]["sticker"]
    hosted = fake.host_media(b"\xff\xd8b")
    await api("sendPhoto", chat_id=lan.id, photo=hosted, caption="đây")
    sent = await fake.wait_sent(fake.private(lan), 1, timeout=1)
    assert (sent[0].kind, sent[0].photo, sent[0].caption) == ("photo", hosted, "đây")
    assert fake.media_fetches == [(hosted, 200)]  # Zalo fetched the photo itself


async def test_send_photo_fails_when_zalo_cannot_fetch_it(fake: FakeZalo, api: Api) -> None:
    """Zalo fetches a sendPhoto URL: a dead link, a page that is no image, an expired one fail."""
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    dead = "http://127.0.0.1:9/a.jpg"
    _, refused = await api("sendPhoto", chat_id=lan.id, photo=dead)
    assert (refused["ok"], refused["error_code"]) == (False, 400)
    page = fake.host_media(b"<html>", mime="text/html", ext="html")
    _, not_image = await api("sendPhoto", chat_id=lan.id, photo=page)
    assert not_image["ok"] is False
    gone = fake.host_media(b"\xff\xd8")
    fake.expire_media()
    _, expired = await api("sendPhoto", chat_id=lan.id, photo=gone)
    assert expired["ok"] is False
    assert fake.sent(fake.private(lan)) == [] and fake.quota_used() == 0
