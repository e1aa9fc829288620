"""Shared fixtures: the fake Telegram and Zalo API servers and a bot wired to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from tests.e2e.harness import TG_TOKEN, ZALO_TOKEN
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when a test moves it (Monday morning in Vietnam)."""
    return ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on loopback with one bot, @DansoBot."""
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(TG_TOKEN, username="DansoBot")
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API on loopback with one bot."""
    fake = FakeZalo()
    await fake.start()
    fake.add_bot(ZALO_TOKEN, name="Bot Dân số")
    yield fake
    await fake.stop()
