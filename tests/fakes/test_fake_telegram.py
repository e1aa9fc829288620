"""Tests of the fake Telegram Bot API itself, with a plain aiohttp client and with PTB's Bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram import error as tg

from tests.fakes.loopback import LoopbackServer
from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    server.add_bot(TOKEN, username="DansoBot")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def ptb(fake: FakeTelegram) -> AsyncIterator[Bot]:
    url = fake.base_url
    async with Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot:
        yield bot


async def call(
    http: aiohttp.ClientSession,
    fake: FakeTelegram,
    method: str,
    *,
    token: str = TOKEN,
    **params: Any,
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{fake.base_url}/bot{token}/{method}", json=params) as resp:
        return resp.status, await resp.json()


async def test_get_updates_offset_confirms_earlier_updates(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Calling getUpdates with offset = last id + 1 drops the updates before it."""
    alice = fake.user(1, "Alice")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "một")
    fake.type_as(alice, chat, "hai")
    status, body = await call(http, fake, "getUpdates")
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["một", "hai"]
    last = body["result"][-1]["update_id"]
    _, again = await call(http, fake, "getUpdates", offset=last)
    assert [u["update_id"] for u in again["result"]] == [last]
    _, empty = await call(http, fake, "getUpdates", offset=last + 1)
    assert empty["result"] == [] and fake.pending() == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """A pending getUpdates with a long timeout answers with the new update, not at the timeout."""
    alice = fake.user(1, "Alice")
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=30))
    await fake.wait_polling()
    fake.type_as(alice, fake.private(alice), "xin chào")
    status, body = await asyncio.wait_for(poll, 10)
    assert status == 200 and body["result"][0]["message"]["text"] == "xin chào"


async def test_get_updates_conflicts_while_webhook_is_set(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """getUpdates answers 409 while a webhook is set, and works again after deleteWebhook."""
    status, _ = await call(http, fake, "setWebhook", url="http://127.0.0.1:9/hook")
    assert status == 200
    status, body = await call(http, fake, "getUpdates")
    assert (
        status == 409 and body["error_code"] == 409 and "webhook is active" in body["description"]
    )
    await call(http, fake, "deleteWebhook")
    status, _ = await call(http, fake, "getUpdates")
    assert status == 200


async def test_set_webhook_ends_a_pending_long_poll_with_409(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """A long poll in progress is terminated by setWebhook, as Telegram does."""
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=30))
    await fake.wait_polling()
    await call(http, fake, "setWebhook", url="http://127.0.0.1:9/hook")
    status, body = await asyncio.wait_for(poll, 10)
    assert status == 409 and body["description"] == "Conflict: terminated by setWebhook request"


async def test_send_message_length_limits(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    """4096 characters pass; 4097 are too long; blank text is empty."""
    alice = fake.user(1, "Alice")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "/start")
    ok, _ = await call(http, fake, "sendMessage", chat_id=1, text="ă" * 4096)
    long_status, long_body = await call(http, fake, "sendMessage", chat_id=1, text="a" * 4097)
    empty_status, empty_body = await call(http, fake, "sendMessage", chat_id=1, text="  ")
    assert ok == 200 and len(fake.sent(chat)[-1].text) == 4096
    assert (long_status, long_body["description"]) == (400, "Bad Request: message is too long")
    assert (empty_status, empty_body["description"]) == (400, "Bad Request: message text is empty")


async def test_parse_mode_is_checked_and_counted_after_parsing(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Broken HTML or unescaped MarkdownV2 is refused; valid markup is stripped before counting."""
    alice = fake.user(1, "Alice")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "hi")
    bad_html = await call(http, fake, "sendMessage", chat_id=1, text="<b>đậm", parse_mode="HTML")
    bad_md = await call(
        http, fake, "sendMessage", chat_id=1, text="Hạn 5.6!", parse_mode="MarkdownV2"
    )
    good_md = await call(
        http, fake, "sendMessage", chat_id=1, text="*Hạn* 5\\.6\\!", parse_mode="MarkdownV2"
    )
    long_html = await call(
        http, fake, "sendMessage", chat_id=1, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML"
    )
    assert bad_html[0] == 400 and "can't parse entities" in bad_html[1]["description"]
    assert bad_md[0] == 400 and "Character '.' is reserved" in bad_md[1]["description"]
    assert good_md[0] == 200 and good_md[1]["result"]["text"] == "Hạn 5.6!"
    assert long_html[0] == 200


async def test_unknown_chat_token_and_method(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Unknown chat → 400 chat not found; unknown token → 401; unknown method → 404."""
    chat = await call(http, fake, "sendMessage", chat_id=999, text="x")
    token = await call(http, fake, "getMe", token="1:wrong")
    method = await call(http, fake, "sendTelepathy")
    assert chat == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )
    assert token[0] == 401 and token[1]["description"] == "Unauthorized"
    assert method[0] == 404 and method[1]["description"] == "Not Found"


async def test_unreachable_private_chats_and_groups_answer_403(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Never started, blocked, and kicked from a group each give Telegram's 403 text."""
    alice, bob = fake.user(1, "Alice"), fake.user(2, "Bob")
    fake.private(alice)
    bob_chat = fake.private(bob)
    fake.type_as(bob, bob_chat, "/start")
    fake.block(bob_chat)
    group = fake.group(-5, "Xã A", admins=[alice])
    fake.bot_removed(group, alice)
    never = await call(http, fake, "sendMessage", chat_id=1, text="x")
    blocked = await call(http, fake, "sendMessage", chat_id=2, text="x")
    kicked = await call(http, fake, "sendMessage", chat_id=-5, text="x")
    assert never == (
        403,
        {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot can't initiate conversation with a user",
        },
    )
    assert blocked[1]["description"] == "Forbidden: bot was blocked by the user"
    assert kicked[1]["description"] == "Forbidden: bot was kicked from the group chat"
    kinds = [
        u["my_chat_member"]["new_chat_member"]["status"]
        for u in fake.pending()
        if "my_chat_member" in u
    ]
    assert kinds == ["kicked", "kicked"]


async def test_flood_limit_answers_429_and_is_logged(fake: FakeTelegram, ptb: Bot) -> None:
    """Past the group limit the fake answers 429 with retry_after, PTB raises, the log shows it."""
    alice = fake.user(1, "Alice")
    group = fake.group(-7, "Xã B", admins=[alice])
    fake.limits(per_minute_per_group=2)
    await ptb.send_message(-7, "1")
    await ptb.send_message(-7, "2")
    with pytest.raises(tg.RetryAfter) as caught:
        await ptb.send_message(-7, "3")
    assert caught.value._retry_after.total_seconds() >= 1
    assert [e.status for e in fake.log.calls("sendMessage")] == [200, 200, 429]
    assert [m.text for m in fake.sent(group)] == ["1", "2"]


async def test_fail_next_injects_errors_then_recovers(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """fail_next answers the given error the given number of times, then the real answer."""
    fake.fail_next("getMe", status=502, description="Bad Gateway", times=2)
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    first = await call(http, fake, "getMe")
    second = await call(http, fake, "getMe")
    third = await call(http, fake, "getMe")
    flood = await call(http, fake, "sendMessage", chat_id=1, text="x")
    assert first[0] == second[0] == 502 and third[0] == 200
    assert third[1]["result"]["username"] == "DansoBot"
    assert flood[0] == 429 and flood[1]["parameters"] == {"retry_after": 7}


async def test_files_upload_get_file_and_download(fake: FakeTelegram, ptb: Bot) -> None:
    """A document uploaded with PTB is stored, shown in sent() and downloadable via getFile."""
    alice = fake.user(1, "Alice")
    group = fake.group(-9, "Xã C", admins=[alice])
    msg = await ptb.send_document(-9, b"so lieu", filename="bao-cao.csv", caption="Báo cáo")
    assert msg.document is not None
    file = await ptb.get_file(msg.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"so lieu"
    sent = fake.sent(group)[-1]
    assert sent.text == "Báo cáo" and sent.document is not None
    assert sent.document["file_name"] == "bao-cao.csv"
    with pytest.raises(tg.BadRequest, match=r"(?i)caption is too long"):
        await ptb.send_document(-9, b"x", filename="x.txt", caption="c" * 1025)


async def test_buttons_press_and_callback_answer(fake: FakeTelegram, ptb: Bot) -> None:
    """An inline keyboard shows in sent(); press() queues a callback_query that PTB can answer."""
    alice = fake.user(1, "Alice")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý", callback_data="ok 12")]])
    msg = await ptb.send_message(1, "Xác nhận?", reply_markup=keyboard)
    assert fake.sent(chat)[-1].buttons == ((("Đồng ý", "ok 12"),),)
    fake.press(alice, chat, msg.message_id, "ok 12")
    updates = await ptb.get_updates(offset=-1)
    query = updates[-1].callback_query
    assert (
        query is not None and query.data == "ok 12" and query.message.message_id == msg.message_id
    )
    await ptb.answer_callback_query(query.id, text="Đã ghi nhận")
    assert fake.callback_answers[-1]["text"] == "Đã ghi nhận"


async def test_group_privacy_mode_filters_plain_talk(fake: FakeTelegram, ptb: Bot) -> None:
    """In privacy mode a bot hears commands, replies to it and mentions, not ordinary talk."""
    alice = fake.user(1, "Alice")
    group = fake.group(-11, "Xã D", admins=[alice])
    bot_msg = await ptb.send_message(-11, "Báo cáo đi")
    fake.type_as(alice, group, "chuyện phiếm")
    fake.type_as(alice, group, "/bc@OtherBot sinh 1")
    fake.type_as(alice, group, "/bc sinh 2")
    fake.type_as(alice, group, "trả lời", reply_to=bot_msg.message_id)
    fake.type_as(alice, group, "hỏi @DansoBot")
    texts = [u["message"]["text"] for u in fake.pending()]
    assert texts == ["/bc sinh 2", "trả lời", "hỏi @DansoBot"]
    assert len(fake.history(group)) == 6


async def test_pin_needs_admin_and_edits_are_recorded(fake: FakeTelegram, ptb: Bot) -> None:
    """Pinning needs admin rights; an edit keeps the old text; an identical edit is 400."""
    alice = fake.user(1, "Alice")
    group = fake.group(-13, "Xã E", admins=[alice])
    msg = await ptb.send_message(-13, "Chỉ đạo 1")
    with pytest.raises(tg.BadRequest, match=r"(?i)not enough rights"):
        await ptb.pin_chat_message(-13, msg.message_id)
    fake.set_bot_admin(group)
    await ptb.pin_chat_message(-13, msg.message_id)
    await ptb.edit_message_text("Chỉ đạo 1 (sửa)", chat_id=-13, message_id=msg.message_id)
    with pytest.raises(tg.BadRequest, match=r"(?i)message is not modified"):
        await ptb.edit_message_text("Chỉ đạo 1 (sửa)", chat_id=-13, message_id=msg.message_id)
    [pinned] = fake.pinned(group)
    assert pinned.text == "Chỉ đạo 1 (sửa)" and pinned.edits == ("Chỉ đạo 1",)


async def test_webhook_delivery_with_secret_and_redelivery(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Updates are POSTed with the secret header; a non-2xx answer means redelivery."""
    received: list[tuple[str, int]] = []
    answers = [500]

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), body["update_id"])
        )
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = LoopbackServer(app)
    await receiver.start()
    try:
        await call(
            http, fake, "setWebhook", url=f"{receiver.base_url}/hook", secret_token="s3cret"
        )
        alice = fake.user(1, "Alice")
        fake.type_as(alice, fake.private(alice), "qua webhook")
        for _ in range(500):
            if not fake.pending() and len(received) >= 2:
                break
            await asyncio.sleep(0.01)
        _, info = await call(http, fake, "getWebhookInfo")
    finally:
        await receiver.stop()
    update_id = received[0][1]
    assert received[:2] == [("s3cret", update_id), ("s3cret", update_id)]
    assert [status for _, status in fake.webhook_deliveries[:2]] == [500, 200]
    assert info["result"]["pending_update_count"] == 0
