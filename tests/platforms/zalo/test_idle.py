"""Idle answers of getUpdates (issue #21, point 10): 408 with or without `error_code`, and a
gateway's 504, all mean "nothing came": poll again without growing the backoff."""

from __future__ import annotations

from typing import Any

import pytest

from bot.platforms.zalo.client import Backoff
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import Sink, until

# A backoff that would be plain to see: 0.2 s, 1 s, 5 s, 25 s… without jitter.
SLOW = Backoff(initial=0.2, maximum=60.0, factor=5.0, jitter=0.0)


def _idle(fake: FakeZalo, status: int) -> int:
    return sum(c.status == status for c in fake.log.calls("getUpdates"))


@pytest.mark.parametrize(
    "fake", [{}, {"idle_error_code": True}], indirect=True, ids=["measured", "with-code"]
)
async def test_idle_408_with_or_without_code_polls_again(fake: FakeZalo, running: Any) -> None:
    """The measured idle 408 has no error_code; with or without it the loop polls at once."""
    sink = Sink()
    platform = await running(sink, backoff=SLOW)
    await until(lambda: _idle(fake, 408) >= 4, timeout=3.0)
    assert platform.polling and platform.last_receive_at is not None
    await fake.type_as(fake.user("Lan"), None, "sau khi chờ")
    assert (await sink.wait(timeout=1.5))[0].text == "sau khi chờ"


@pytest.mark.parametrize("fake", [{"idle_status": 504}], indirect=True)
async def test_idle_504_is_idle_without_backoff_growth(
    fake: FakeZalo, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A 504 ending an idle poll is idle: no growing waits, no warnings, the next message
    arrives within a poll."""
    sink = Sink()
    platform = await running(sink, backoff=SLOW)
    await until(lambda: _idle(fake, 504) >= 4, timeout=3.0)
    assert platform.polling and platform.last_receive_at is not None
    await fake.type_as(fake.user("Lan"), None, "sau cổng chờ")
    assert (await sink.wait(timeout=1.5))[0].text == "sau cổng chờ"
    assert "getUpdates failed" not in caplog.text
