"""The platforms' command menus (Telegram setMyCommands) in Vietnamese and English."""

from __future__ import annotations

from bot.app.dispatch import Dispatcher
from bot.core.platform import BotCommand

_ENGLISH_FIRST = "en"


def _describe(full: str) -> str:
    """Help lines read "/cmd example – what it does"; a menu wants only what it does."""
    _, _, what = full.partition(" – ")
    return (what or full)[:256]


def command_menus(dispatcher: Dispatcher) -> dict[str, list[BotCommand]]:
    """Vietnamese names for everyone ("" = default), English aliases for English clients."""
    translate = dispatcher.services.translate
    vi: list[BotCommand] = []
    en: list[BotCommand] = []
    for cmd in dispatcher.command_list():
        vi.append(BotCommand(cmd.name, _describe(translate("vi", cmd.help_key))))
        english = cmd.aliases[0] if cmd.aliases else cmd.name
        en.append(BotCommand(english, _describe(translate(_ENGLISH_FIRST, cmd.help_key))))
    return {"": vi, "en": en}
