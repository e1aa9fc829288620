"""The Telegram adapter over python-telegram-bot: intake, conversion, sends, files, HTTP."""
