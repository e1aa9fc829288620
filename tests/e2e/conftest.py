"""Fixtures for end-to-end scenarios: a World per platform, stopped after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from tests.e2e.harness import World
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo


@pytest.fixture(params=["telegram", "zalo"])
async def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: ManualClock,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
) -> AsyncIterator[World]:
    """The same scenario on each platform, against its fake API server."""
    fake = fake_telegram if request.param == "telegram" else fake_zalo
    w = World(request.param, fake, tmp_path, clock)
    yield w
    await w.bot.stop()


@pytest.fixture
async def tg_world(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram
) -> AsyncIterator[World]:
    """A Telegram-only world, for what only Telegram groups can show."""
    w = World("telegram", fake_telegram, tmp_path, clock)
    yield w
    await w.bot.stop()
