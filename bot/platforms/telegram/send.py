"""Building Telegram sends: inline keyboards from neutral buttons, and file uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
)

from bot.core.messages import Button, OutFile
from bot.core.platform import BadRequest

MAX_CALLBACK_DATA = 64


def markup(
    buttons: tuple[tuple[Button, ...], ...], *, force_reply: bool
) -> InlineKeyboardMarkup | ForceReply | None:
    if buttons:
        for row in buttons:
            for b in row:
                if not 1 <= len(b.data.encode()) <= MAX_CALLBACK_DATA:
                    msg = f"button data must be 1..{MAX_CALLBACK_DATA} bytes: {b.data!r}"
                    raise BadRequest(msg)
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
        )
    if force_reply:
        return ForceReply(selective=True)
    return None


async def send_file(
    bot: Any,
    chat_id: int,
    file: OutFile,
    *,
    caption: str | None,
    reply: ReplyParameters | None,
    markup: InlineKeyboardMarkup | ForceReply | None,
    silent: bool,
) -> Message:
    """sendPhoto or sendDocument from bytes, a local path or a public URL."""
    content: InputFile | str
    if file.data is not None:
        content = InputFile(file.data, filename=file.name)
    elif file.path:
        content = InputFile(
            Path(file.path).read_bytes(), filename=file.name or Path(file.path).name
        )
    elif file.url:
        content = file.url
    else:
        msg = f"file {file.name!r} has no data, path or url"
        raise BadRequest(msg)
    send = bot.send_photo if file.kind == "photo" else bot.send_document
    return await send(
        chat_id, content, caption=caption, reply_parameters=reply, reply_markup=markup,
        disable_notification=silent,
    )  # fmt: skip
