"""Fake Telegram and Zalo Bot API servers on loopback; they import nothing from `bot`."""
