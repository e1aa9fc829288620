"""Tests of TelegramPlatform against the fake Telegram Bot API, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.core.messages import (
    Button,
    ChatKind,
    ChatRef,
    Incoming,
    OutFile,
    Outgoing,
    UpdateKind,
    UserRef,
)
from bot.core.platform import BotCommand, ChatUnreachable, RetryLater
from bot.platforms.telegram.adapter import TelegramPlatform
from tests.fakes.loopback import LoopbackServer
from tests.fakes.telegram_api import ANONYMOUS_ADMIN_ID, FakeChat, FakeTelegram

TOKEN = "424242:adapter-test"
SECRET = "hook-secret_1"


class Inbox:
    """A sink that keeps what the platform delivered, with a bounded wait for the next one."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Incoming] = asyncio.Queue()
        self.seen: list[Incoming] = []

    async def __call__(self, incoming: Incoming) -> None:
        self.seen.append(incoming)
        await self.queue.put(incoming)

    async def next(self, timeout: float = 5.0) -> Incoming:
        return await asyncio.wait_for(self.queue.get(), timeout)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    server.add_bot(TOKEN, username="DansoBot")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def started(fake: FakeTelegram) -> AsyncIterator[tuple[TelegramPlatform, Inbox]]:
    platform = TelegramPlatform(token=TOKEN, api_base_url=fake.base_url, poll_timeout=5)
    inbox = Inbox()
    await platform.start(inbox)
    yield platform, inbox
    await platform.close()


def ref(chat: FakeChat) -> ChatRef:
    kind = ChatKind.GROUP if chat.is_group else ChatKind.PRIVATE
    return ChatRef("telegram", "", str(chat.id), kind)


async def test_private_message_becomes_incoming(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """A private text arrives as a MESSAGE with neutral chat, sender, language and ids."""
    platform, inbox = started
    alice = fake.user(11, "Lan", language_code="en")
    sent = fake.type_as(alice, fake.private(alice), "xin chào")
    got = await inbox.next()
    assert got.kind is UpdateKind.MESSAGE and got.text == "xin chào"
    assert got.chat == ChatRef("telegram", "", "11", ChatKind.PRIVATE)
    assert got.sender == UserRef("telegram", "", "11") and got.sender_name == "Lan"
    assert got.language == "en" and got.message_id == str(sent["message_id"])
    assert got.update_id.isdigit() and not got.mentions_bot
    assert platform.username == "DansoBot" and platform.last_receive_at > 0


async def test_edited_message_and_photo_with_caption(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """An edit arrives as EDITED; a photo arrives with its caption as text and one attachment."""
    _, inbox = started
    alice = fake.user(11, "Lan")
    chat = fake.private(alice)
    first = fake.type_as(alice, chat, "sinh 2")
    await inbox.next()
    fake.edit_as(alice, chat, first["message_id"], "sinh 3")
    edited = await inbox.next()
    fake.type_as(alice, chat, photo=True, caption="ảnh biên bản")
    photo = await inbox.next()
    assert edited.kind is UpdateKind.EDITED and edited.text == "sinh 3"
    assert photo.text == "ảnh biên bản" and [a.kind for a in photo.attachments] == ["photo"]
    assert photo.attachments[0].file_id in fake.files


async def test_commands_addressed_to_this_or_another_bot(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """`/cmd@DansoBot` is rewritten and marked as a mention; `/cmd@OtherBot` is left untouched."""
    _, inbox = started
    alice = fake.user(11, "Lan")
    group = fake.group(-500, "Xã Kỳ Anh", admins=[alice], bot_is_admin=True)
    fake.type_as(alice, group, "/bc@DansoBot sinh 2")
    ours = await inbox.next()
    fake.type_as(alice, group, "/bc@OtherBot sinh 2")
    theirs = await inbox.next()
    assert ours.text == "/bc sinh 2" and ours.mentions_bot and ours.chat.kind is ChatKind.GROUP
    assert theirs.text == "/bc@OtherBot sinh 2" and not theirs.mentions_bot


async def test_reply_to_bot_and_anonymous_admin(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """A reply to the bot sets from_bot and mentions_bot; an anonymous admin is unknowable."""
    platform, inbox = started
    alice = fake.user(11, "Lan")
    group = fake.group(-501, "Xã Cẩm Xuyên", admins=[alice])
    bot_ref = await platform.send(
        Outgoing(chat=ref(group), text="Bao nhiêu ca sinh?", force_reply=True)
    )
    fake.type_as(alice, group, "2", reply_to=int(bot_ref.first_id))
    reply = await inbox.next()
    fake.anonymous_admin_types(group, "/chidao họp lúc 8h")
    anon = await inbox.next()
    assert reply.reply_to is not None and reply.reply_to.from_bot and reply.mentions_bot
    assert (
        reply.reply_to.message_id == bot_ref.first_id
        and reply.reply_to.text == "Bao nhiêu ca sinh?"
    )
    assert fake.sent(group)[-1].force_reply
    assert anon.sender.id == str(ANONYMOUS_ADMIN_ID) and not anon.sender_is_bot
    assert anon.sender_name == "Xã Cẩm Xuyên"
    assert await platform.is_group_admin(anon.chat, anon.sender) is None
    assert await platform.is_group_admin(ref(group), UserRef("telegram", "", "11")) is True


async def test_buttons_press_and_answer(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """Buttons become an inline keyboard; a press arrives as CALLBACK and can be answered."""
    platform, inbox = started
    alice = fake.user(11, "Lan")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "/start")
    await inbox.next()
    buttons = ((Button("Đã nhận", "ack 7"), Button("Hỏi lại", "ask 7")),)
    sent = await platform.send(Outgoing(chat=ref(chat), text="Chỉ đạo số 7", buttons=buttons))
    assert fake.sent(chat)[-1].buttons == ((("Đã nhận", "ack 7"), ("Hỏi lại", "ask 7")),)
    fake.press(alice, chat, int(sent.first_id), "ack 7")
    press = await inbox.next()
    await platform.answer_callback(press.callback_id, "Cảm ơn")
    assert press.kind is UpdateKind.CALLBACK and press.callback_data == "ack 7"
    assert press.message_id == sent.first_id and press.sender.id == "11"
    assert fake.callback_answers[-1]["text"] == "Cảm ơn"


async def test_long_text_is_split_in_three_with_buttons_last(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """A 9000-character text arrives as 3 messages cut at line breaks, the keyboard on the last."""
    platform, _ = started
    alice = fake.user(11, "Lan")
    group = fake.group(-502, "Xã Hương Khê", admins=[alice])
    text = "\n".join(f"Thôn {i:03d}: " + "x" * 80 for i in range(100))
    assert 8900 < len(text) < 9100
    sent = await platform.send(
        Outgoing(chat=ref(group), text=text, buttons=((Button("OK", "ok"),),))
    )
    parts = fake.sent(group)
    assert len(sent.message_ids) == 3 and [str(m.message_id) for m in parts] == list(
        sent.message_ids
    )
    assert all(len(p.text) <= 4096 and p.text.startswith("Thôn") for p in parts)
    assert "\n".join(p.text for p in parts) == text
    assert [bool(p.buttons) for p in parts] == [False, False, True]


async def test_file_with_caption_and_file_with_long_text(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """Short text rides as the caption; text over 1024 characters follows as its own message."""
    platform, _ = started
    alice = fake.user(11, "Lan")
    group = fake.group(-503, "Xã Nghi Xuân", admins=[alice])
    report = OutFile(name="kh.pdf", data=b"%PDF-1")
    one = await platform.send(Outgoing(chat=ref(group), text="Kế hoạch", file=report))
    picture = OutFile(name="a.jpg", kind="photo", data=b"jpg")
    two = await platform.send(Outgoing(chat=ref(group), text="y" * 1500, file=picture))
    first, photo, long_text = fake.sent(group)
    assert len(one.message_ids) == 1 and len(two.message_ids) == 2
    assert first.document is not None and first.text == "Kế hoạch"
    assert fake.file_bytes(first.document["file_id"]) == b"%PDF-1"
    assert photo.photo is not None and photo.text == "" and long_text.text == "y" * 1500


async def test_forbidden_and_unknown_chat_are_unreachable(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """403 (blocked, never started) and 400 chat not found become ChatUnreachable."""
    platform, _ = started
    alice = fake.user(11, "Lan")
    chat = fake.private(alice)
    fake.type_as(alice, chat, "/start")
    fake.block(chat)
    never = fake.private(fake.user(12, "Minh"))
    for target in (ref(chat), ref(never), ChatRef("telegram", "", "-999", ChatKind.GROUP)):
        with pytest.raises(ChatUnreachable):
            await platform.send(Outgoing(chat=target, text="nhắc việc"))


async def test_flood_limit_becomes_retry_later(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """429 becomes RetryLater carrying the fake's retry_after, with no silent retry by PTB."""
    platform, _ = started
    alice = fake.user(11, "Lan")
    group = fake.group(-504, "Xã Thạch Hà", admins=[alice])
    fake.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 17",
                   retry_after=17)  # fmt: skip
    with pytest.raises(RetryLater) as caught:
        await platform.send(Outgoing(chat=ref(group), text="tin 1"))
    fake.limits(per_second_per_chat=1)
    await platform.send(Outgoing(chat=ref(group), text="tin 2"))
    with pytest.raises(RetryLater) as flood:
        await platform.send(Outgoing(chat=ref(group), text="tin 3"))
    assert caught.value.retry_after == 17.0 and flood.value.retry_after >= 1
    assert [e.status for e in fake.log.calls("sendMessage")] == [429, 200, 429]


async def test_set_commands_refusal_is_not_fatal(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """A refused setMyCommands is only logged; other languages are set; receiving goes on."""
    platform, inbox = started
    fake.fail_next("setMyCommands", status=400, description="Bad Request: BOT_COMMAND_INVALID")
    await platform.set_commands({
        "": [BotCommand("baocao", "Gửi báo cáo")],
        "en": [BotCommand("report", "Send a report")],
    })  # fmt: skip
    alice = fake.user(11, "Lan")
    fake.type_as(alice, fake.private(alice), "/baocao")
    assert (await inbox.next()).text == "/baocao"
    assert fake.menu("en") == [("report", "Send a report")] and fake.menu("") == []


async def test_edit_replaces_text_and_ignores_unchanged(
    fake: FakeTelegram, started: tuple[TelegramPlatform, Inbox]
) -> None:
    """edit() changes the text and keyboard; editing to the same content is not an error."""
    platform, _ = started
    alice = fake.user(11, "Lan")
    group = fake.group(-505, "Xã Lộc Hà", admins=[alice])
    sent = await platform.send(
        Outgoing(chat=ref(group), text="Chờ", buttons=((Button("A", "a"),),))
    )
    await platform.edit(ref(group), sent.first_id, "Xong")
    await platform.edit(ref(group), sent.first_id, "Xong")
    [message] = fake.sent(group)
    assert message.text == "Xong" and message.edits == ("Chờ",) and message.buttons == ()


# --- webhook mode ----------------------------------------------------------------------


WebhookPost = Callable[..., Awaitable[tuple[int, str]]]


@pytest.fixture
async def webhook(
    fake: FakeTelegram,
) -> AsyncIterator[tuple[TelegramPlatform, Inbox, WebhookPost]]:
    handlers: list[Any] = []

    async def forward(request: web.Request) -> web.StreamResponse:
        return await handlers[0](request)

    app = web.Application()
    app.router.add_post("/webhook/telegram", forward)
    server = LoopbackServer(app)
    base = await server.start()
    platform = TelegramPlatform(
        token=TOKEN, api_base_url=fake.base_url, mode="webhook",
        webhook_url=f"{base}/webhook/telegram", webhook_secret=SECRET,
    )  # fmt: skip
    handlers.extend(route.handler for route in platform.routes())
    inbox = Inbox()
    await platform.start(inbox)

    async def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base}/webhook/telegram", data=body, headers=headers) as resp,
        ):
            return resp.status, await resp.text()

    yield platform, inbox, post
    await platform.close()
    await server.stop()


def update_body(update_id: int, text: str) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": 5, "date": 1_760_000_000, "text": text,
        "chat": {"id": 77, "type": "private", "first_name": "Hà"},
        "from": {"id": 77, "is_bot": False, "first_name": "Hà"},
    }}).encode()  # fmt: skip


async def test_webhook_checks_secret_and_body(
    fake: FakeTelegram, webhook: tuple[TelegramPlatform, Inbox, WebhookPost]
) -> None:
    """Right secret → processed; wrong/missing secret → 401; bad JSON → 400; too big → 413."""
    platform, inbox, post = webhook
    header = "X-Telegram-Bot-Api-Secret-Token"
    wrong = await post(update_body(1, "sai"), {header: "nope"})
    missing = await post(update_body(2, "thiếu"), {})
    not_json = await post(b"<html>", {header: SECRET})
    huge = await post(b"{" + b" " * (1024 * 1024 + 10) + b"}", {header: SECRET})
    right = await post(update_body(3, "đúng"), {header: SECRET})
    got = await inbox.next()
    assert (wrong[0], missing[0], not_json[0], huge[0], right[0]) == (401, 401, 400, 413, 200)
    assert got.text == "đúng" and got.update_id == "3"
    assert [i.text for i in inbox.seen] == ["đúng"]
    state = fake.bot_state(TOKEN)
    assert state.webhook_url.endswith("/webhook/telegram") and state.webhook_secret == SECRET
    assert "callback_query" in state.allowed_updates and platform.routes()


async def test_webhook_receives_updates_from_the_fake(
    fake: FakeTelegram, webhook: tuple[TelegramPlatform, Inbox, WebhookPost]
) -> None:
    """With setWebhook done at start, the fake's deliveries reach the sink end to end."""
    _, inbox, _ = webhook
    alice = fake.user(11, "Lan")
    fake.type_as(alice, fake.private(alice), "qua webhook")
    got = await inbox.next()
    assert got.text == "qua webhook" and got.sender.id == "11"
