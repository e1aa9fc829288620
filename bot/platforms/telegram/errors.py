"""Maps python-telegram-bot errors onto the neutral delivery errors of bot.core.platform."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import error as tg

from bot.core.platform import BadRequest, ChatUnreachable, DeliveryError, RetryLater

# Telegram answers 400 with these when the chat itself is gone, not the message.
_GONE = ("chat not found", "group chat was upgraded", "peer_id_invalid", "user not found")


def retry_seconds(err: tg.RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 is moving from int to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns on reading retry_after as an int
        value = err.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def neutral(err: tg.TelegramError) -> DeliveryError:
    """The neutral error the delivery layer understands; the text never contains the token."""
    text = err.message
    if isinstance(err, tg.RetryAfter):
        return RetryLater(f"telegram flood limit: {text}", retry_after=retry_seconds(err))
    if isinstance(err, tg.Forbidden | tg.ChatMigrated):
        return ChatUnreachable(f"telegram: {text}")
    if isinstance(err, tg.BadRequest):  # a NetworkError subclass, so it goes first
        if any(marker in text.lower() for marker in _GONE):
            return ChatUnreachable(f"telegram: {text}")
        return BadRequest(f"telegram: {text}")
    if isinstance(err, tg.TimedOut | tg.NetworkError | tg.Conflict):
        return RetryLater(f"telegram unavailable: {text}", retry_after=1.0)
    return BadRequest(f"telegram: {text}")
