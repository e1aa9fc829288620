"""Tests of the Zalo client's answer checking and of raw update conversion, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.messages import ChatKind
from bot.platforms.zalo.client import (
    Backoff,
    ZaloBadRequest,
    ZaloError,
    ZaloQuotaExceeded,
    ZaloRetryable,
    ZaloTimeout,
    ZaloUnauthorized,
    check_response,
)
from bot.platforms.zalo.updates import SeenIds, is_own, to_incoming, unwrap


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, {"ok": False, "error_code": 401, "description": "Unauthorized"}, ZaloUnauthorized),
        (408, {"ok": False, "description": "Request timeout"}, ZaloTimeout),
        (404, {"ok": False, "description": "Not Found"}, ZaloBadRequest),
        (200, {"ok": False, "error_code": 403, "description": "internal"}, ZaloRetryable),
        (502, None, ZaloRetryable),
        (
            200,
            {"ok": False, "error_code": 429, "description": "Quota exceeded"},
            ZaloQuotaExceeded,
        ),
        (429, {"ok": False, "description": "Too many requests"}, ZaloQuotaExceeded),
        (500, {"ok": True, "result": {}}, ZaloRetryable),
    ],
)
def test_check_response_errors(status: int, body: Any, kind: type[Exception]) -> None:
    """Both the HTTP status and `ok` decide the error type, codes or no codes in the body."""
    with pytest.raises(kind):
        check_response(status, body, method="sendMessage")


def test_check_response_results() -> None:
    """A success gives its result, and `true` when the answer has none (sendChatAction)."""
    assert check_response(200, {"ok": True, "result": {"message_id": "a"}}) == {"message_id": "a"}
    assert check_response(200, {"ok": True}) is True


def test_error_text_names_the_method_only() -> None:
    """A ZaloError says which method failed and keeps the code and description."""
    with pytest.raises(ZaloError) as err:
        check_response(
            200, {"ok": False, "error_code": 409, "description": "Conflict"}, method="x"
        )
    assert str(err.value) == "zalo x: 409 Conflict"
    assert (err.value.error_code, err.value.description) == (409, "Conflict")


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    """Waits double from `initial`, never exceed `maximum`, and jitter only shortens them."""
    backoff = Backoff(initial=1.0, maximum=8.0, factor=2.0, jitter=0.25)
    for attempt, base in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (10, 8.0)]:
        assert 0.75 * base <= backoff.delay(attempt) <= base


def _message(**overrides: Any) -> dict[str, Any]:
    message = {
        "message_id": "2d758cb5e222177a4e35", "date": 1750316131602,
        "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
        "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"}, "text": "Xin chào",
    }  # fmt: skip
    return message | overrides


def test_doc_sample_converts() -> None:
    """The documented sample update becomes a private text with its ms date."""
    update = {"event_name": "message.text.received", "message": _message()}
    got = to_incoming(update, bot="zalo1")
    assert got is not None
    assert (got.update_id, got.text, got.chat.kind) == (
        "2d758cb5e222177a4e35",
        "Xin chào",
        "private",
    )
    assert got.date.isoformat() == "2025-06-19T06:55:31.602000+00:00"


def test_other_events_convert() -> None:
    """Stickers and unsupported content become attachments; message-less events are dropped."""
    sticker = to_incoming(
        {"event_name": "message.sticker.received",
         "message": _message(text=None, sticker="s1", url="https://s/1.png")},
        bot="zalo1",
    )  # fmt: skip
    unsupported = to_incoming(
        {"event_name": "message.unsupported.received", "message": _message(text=None)}, bot="b"
    )
    assert sticker is not None and unsupported is not None
    assert [(a.kind, a.file_id, a.url) for a in sticker.attachments] == [
        ("sticker", "s1", "https://s/1.png")
    ]
    assert (unsupported.text, unsupported.attachments[0].kind) == ("", "unsupported")
    assert to_incoming({"event_name": "message.unsupported.received"}, bot="b") is None
    assert (
        to_incoming({"event_name": "message.reaction.received", "message": _message()}, bot="b")
        is None
    )


def test_group_detection_and_mention_strip() -> None:
    """Any non-PRIVATE chat type is a group; the bot's leading @name is stripped there only."""
    chat = {"id": "aaaa", "chat_type": "GROUP_CHAT"}
    update = {"event_name": "message.text.received",
              "message": _message(chat=chat, text="@bot dân số , /help")}  # fmt: skip
    got = to_incoming(update, bot="z", bot_name="Bot Dân số")
    assert got is not None and got.chat.kind == ChatKind.GROUP
    assert (got.text, got.mentions_bot) == ("/help", True)
    private = to_incoming(
        {"message": _message(text="@Bot Dân số hi")}, bot="z", bot_name="Bot Dân số"
    )
    assert private is not None and private.text == "@Bot Dân số hi"


def test_unwrap_and_own_and_seen() -> None:
    """Bodies unwrap from any shape; own messages are recognised; the LRU forgets the oldest."""
    flat = {"event_name": "e", "message": _message()}
    assert unwrap(flat) == unwrap({"ok": True, "result": flat}) == unwrap([flat]) == [flat]
    assert unwrap("junk") == []
    assert is_own({"message": _message(**{"from": {"id": "B1"}})}, bot_id="B1")
    assert is_own({"message": _message(**{"from": {"id": "x", "is_bot": True}})}, bot_id="")
    assert not is_own(flat, bot_id="B1")
    seen = SeenIds(size=2)
    for key in ("a", "b", "c"):
        seen.add(key)
    assert ("a" in seen, "b" in seen, "c" in seen) == (False, True, True)
