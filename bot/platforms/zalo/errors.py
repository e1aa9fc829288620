"""Zalo API errors → the neutral send errors the delivery layer understands."""

from __future__ import annotations

from bot.core.platform import (
    BadRequest,
    ChatUnreachable,
    DeliveryError,
    QuotaExceeded,
    RetryLater,
)
from bot.platforms.zalo.client import (
    ZaloBadRequest,
    ZaloError,
    ZaloQuotaExceeded,
    ZaloRetryable,
    ZaloTimeout,
)

# Zalo documents codes, not wordings: a send refused with its 404 "not found" (in the body or
# as the HTTP status of a Zalo answer) names a chat the bot cannot reach, since a bot reaches
# only chats that wrote to it first. Words are the last resort, for a 400 that names the chat;
# they are guesses [G], in both languages Zalo answers in.
_UNREACHABLE_CODES = frozenset({404})
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendVoice"})
_UNREACHABLE_WORDS = (
    "chat not found",
    "user not found",
    "recipient",
    "not interacted",
    "not follow",
    "blocked",
    "không tìm thấy",
    "chưa tương tác",
    "đã chặn",
)


def delivery_error(exc: ZaloError, *, retry_after: float) -> DeliveryError:
    """The neutral error for a failed send; its text names the method, never the URL.

    Zalo's 403 is a transient server error (unlike Telegram's), and its 429 a spent quota.
    """
    if isinstance(exc, ZaloRetryable | ZaloTimeout):
        return RetryLater(str(exc), retry_after=retry_after)
    if isinstance(exc, ZaloQuotaExceeded):
        return QuotaExceeded(str(exc))
    if isinstance(exc, ZaloBadRequest):
        if unreachable(exc):
            return ChatUnreachable(str(exc))
        return BadRequest(str(exc))
    return DeliveryError(str(exc))


def unreachable(exc: ZaloError) -> bool:
    """Whether a refused send means the chat cannot be reached: by code first, words last."""
    if not exc.from_zalo:
        return False  # a proxy's or a wrong base URL's 404 page says nothing about the chat
    if exc.method in _SEND_METHODS and exc.error_code in _UNREACHABLE_CODES:
        return True
    return any(word in exc.description.casefold() for word in _UNREACHABLE_WORDS)
