"""/lienket scenarios: reading a code from the bot's answer, a bot on Telegram and Zalo at once,
and a person's short number from /toi."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.clock import Clock
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import (
    Person,
    RunningBot,
    TelegramDriver,
    ZaloDriver,
    bot_environ,
    write_config,
)

_CODE = re.compile(r"/(?:lienket|link) ([\d][\d ]*\d)")


def code_in(text: str) -> str:
    """The code of a /lienket answer, as digits only."""
    found = _CODE.search(text)
    assert found, text
    return found.group(1).replace(" ", "")


def number_of(me: str) -> str:
    """The person's short number in a /toi answer."""
    found = re.search(r"mã số (\d+)", me)
    assert found, me
    return found.group(1)


def wrong_secret(code: str, n: int) -> str:
    """A code with the same first three digits as `code` and another rest (the n-th such)."""
    rest = f"{(int(code[3:]) + n) % 10**7:07d}"
    return code[:3] + rest


def blind_guess(code: str, n: int) -> str:
    """A code that differs from `code` from its first digit on (it names no live prefix)."""
    first = (int(code[0]) + 1 + n % 8) % 10
    return f"{first}{(n * 7919) % 10**9:09d}"


@dataclass
class BothPlatforms:
    """One bot serving the fake Telegram and the fake Zalo, and a driver for each."""

    folder: Path
    bot: RunningBot
    tg: TelegramDriver
    zl: ZaloDriver
    fake_telegram: FakeTelegram
    fake_zalo: FakeZalo

    async def start(self, *, admins: list[Person], **config: Any) -> None:
        write_config(
            self.folder, admins=[a.key for a in admins], telegram_url=self.fake_telegram.base_url,
            zalo_url=self.fake_zalo.base_url, **config,
        )  # fmt: skip
        await self.bot.start()

    async def restart(self) -> None:
        await self.bot.stop()
        await self.bot.start()


def both_platforms(
    folder: Path, clock: Clock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> BothPlatforms:
    bot = RunningBot(folder / "config.yaml", bot_environ(), clock)
    return BothPlatforms(
        folder, bot, TelegramDriver(fake_telegram, bot), ZaloDriver(fake_zalo, bot),
        fake_telegram, fake_zalo,
    )  # fmt: skip
