"""Shared fixtures: the fake Telegram and Zalo API servers, and a World per platform (a bot wired
to them, stopped after the test); the event loop of each async test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support import store_choice
from tests.support.harness import TG_TOKEN, ZALO_TOKEN, World
from tests.support.virtual_time import VirtualTimeLoop

# How the run is spread over the cores (pytest-xdist) and in what order.
pytest_plugins = ["tests.support.parallel_run"]

# Fixtures that run a bot in the test's own process: their tests run on virtual time too.
IN_PROCESS_BOTS = frozenset({"world", "tg_world"})


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The event loop of an async test: on virtual time (tests/support/virtual_time.py) when
    it is marked `virtual_time` or drives an in-process World, else an ordinary one."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("virtual_time") is not None or fixtures & IN_PROCESS_BOTS:
        return {"virtual_time": VirtualTimeLoop}
    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture(autouse=True)
def _store_of_the_test() -> Iterator[None]:
    """Under BOT_TEST_STORE=postgres, empty the database a test was given, once its bots have
    stopped (this fixture is set up before theirs, so torn down after); otherwise nothing."""
    yield
    store_choice.end_test()


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
