"""A bare python-telegram-bot echo bot: the anchor of the inbound benchmark.

    python bench/echo_bot.py API_URL TOKEN sequential|concurrent|aiohttp

Long polling, one MessageHandler that quotes each message back; `sequential` is PTB's default
(one update at a time), `concurrent` lets PTB run up to 256 handlers at once. `aiohttp` is
`concurrent` over the bot's own HTTP transport (bot/platforms/telegram/http.py) instead of PTB's
default httpx: not the anchor, but it shows how much of the bot's lead is the transport.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or "…", do_quote=True)


def main() -> None:
    url, token, mode = sys.argv[1:4]
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .concurrent_updates(mode in ("concurrent", "aiohttp"))
    )
    if mode == "aiohttp":
        from bot.platforms.telegram.http import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)  # stops on SIGTERM


if __name__ == "__main__":
    main()
