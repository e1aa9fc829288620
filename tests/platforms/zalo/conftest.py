"""Fixtures of the Zalo transport tests: the fake Zalo API and polling platforms against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.platforms.zalo.transport import ZaloPlatform
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import FAST, TOKEN, Sink


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeZalo]:
    """The fake API with one bot; indirect parametrization passes FakeZalo options."""
    server = FakeZalo(**{"allow_http_webhook": True, **getattr(request, "param", {})})
    server.add_bot(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def running(fake: FakeZalo) -> AsyncIterator[Callable[..., Any]]:
    """Start polling platforms against the fake; all are stopped at the end."""
    started: list[ZaloPlatform] = []

    async def start(sink: Sink, *, name: str = "zalo1", token: str = TOKEN, **kw: Any) -> Any:
        options: dict[str, Any] = {"poll_timeout": 0.2, "min_poll_interval": 0.1, "backoff": FAST}
        platform = ZaloPlatform(
            name=name, token=token, api_base_url=fake.base_url, **(options | kw)
        )
        await platform.start(sink)
        started.append(platform)
        return platform

    yield start
    for platform in started:
        await platform.close()
