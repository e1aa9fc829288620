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

# Words in a 400 answer that mean the chat, not the message, is the problem. Zalo's wording is
# unknown [G]; a bot can reach only chats that wrote to it first, so such a chat is unreachable.
_UNREACHABLE_WORDS = (
    "chat not found",
    "user not found",
    "not interacted",
    "not follow",
    "blocked",
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
        if any(word in exc.description.casefold() for word in _UNREACHABLE_WORDS):
            return ChatUnreachable(str(exc))
        return BadRequest(str(exc))
    return DeliveryError(str(exc))
