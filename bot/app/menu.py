"""The platforms' command menus (Telegram setMyCommands) in Vietnamese and English."""

from __future__ import annotations

from bot.app.dispatch import Dispatcher
from bot.core.help_catalogue import public
from bot.core.platform import BotCommand

_ENGLISH = "en"


def _describe(full: str) -> str:
    """Help lines read "/cmd example – what it does"; a menu wants only what it does."""
    _, _, what = full.partition(" – ")
    return (what or full)[:256]


def command_menus(dispatcher: Dispatcher) -> dict[str, list[BotCommand]]:
    """Vietnamese names for everyone ("" = default), English aliases for English clients.
    Every account sees the same menu, so it holds what collaborators and newcomers use, the
    report first; staff find theirs in /trogiup."""
    translate = dispatcher.services.translate
    vi: list[BotCommand] = []
    en: list[BotCommand] = []
    for cmd in public(dispatcher.command_list()):
        vi.append(BotCommand(cmd.name, _describe(translate("vi", cmd.help_key))))
        english = cmd.aliases[-1] if cmd.aliases else cmd.name  # the English alias comes last
        en.append(BotCommand(english, _describe(translate(_ENGLISH, cmd.help_key))))
    return {"": vi, "en": en}
