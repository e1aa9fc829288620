"""Downloading files people sent to a Telegram bot: getFile, then the file URL, capped at 20 MB."""

from __future__ import annotations

import logging
from typing import Any

from telegram import error as tg

from bot.core.messages import Attachment
from bot.core.platform import BadRequest, DeliveryError, RetryLater
from bot.platforms.telegram.errors import retry_seconds

log = logging.getLogger(__name__)

# The cloud Bot API serves files up to 20 MB through getFile; bigger ones cannot be fetched.
MAX_DOWNLOAD = 20 * 1024 * 1024


def download_error(err: tg.TelegramError) -> DeliveryError:
    """RetryLater for flood limits and network trouble, BadRequest for everything else.

    Network errors are named by class only: their text may come from the HTTP layer, and the
    file URL it could quote carries the bot token.
    """
    if isinstance(err, tg.RetryAfter):
        return RetryLater(f"telegram flood limit: {err.message}", retry_after=retry_seconds(err))
    if isinstance(err, tg.BadRequest | tg.Forbidden | tg.InvalidToken):
        return BadRequest(f"telegram download: {err.message}")
    if isinstance(err, tg.TimedOut | tg.NetworkError):
        return RetryLater(f"telegram download failed: {type(err).__name__}", retry_after=1.0)
    return BadRequest(f"telegram download: {type(err).__name__}")


def _too_big(size: int | None, max_bytes: int) -> bool:
    return size is not None and size > max_bytes


async def download_file(
    bot: Any, attachment: Attachment, *, max_bytes: int = MAX_DOWNLOAD
) -> bytes:
    """The bytes of `attachment` (by its file_id); BadRequest or RetryLater when that fails."""
    if not attachment.file_id:
        msg = f"telegram {attachment.kind or 'file'} has no file_id to download"
        raise BadRequest(msg)
    if _too_big(attachment.size, max_bytes):
        msg = f"telegram file is {attachment.size} bytes, more than {max_bytes} allowed"
        raise BadRequest(msg)
    try:
        remote = await bot.get_file(attachment.file_id)
        if _too_big(remote.file_size, max_bytes):
            msg = f"telegram file is {remote.file_size} bytes, more than {max_bytes} allowed"
            raise BadRequest(msg)
        data = bytes(await remote.download_as_bytearray())
    except tg.TelegramError as err:
        log.info("telegram download of a %s failed: %s", attachment.kind, type(err).__name__)
        raise download_error(err) from None
    except RuntimeError as err:  # PTB: the answer had no file_path
        raise BadRequest(f"telegram download: {err}") from None
    if len(data) > max_bytes:  # the size was not announced, or not truthfully
        msg = f"telegram file is {len(data)} bytes, more than {max_bytes} allowed"
        raise BadRequest(msg)
    log.debug("downloaded a telegram %s of %d bytes", attachment.kind, len(data))
    return data
