"""Messages sent while a polling bot is stopped: kept by Zalo or lost (contested; both modes).

Under either mode nothing sent while the bot polls is lost, and starting in polling mode warns
that the gap of a stop may lose messages (webhooks are the production mode, docs/deploy.md).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import TOKEN, Sink, until

BOTH = pytest.mark.parametrize(
    "fake", [{"offline_loss": False}, {"offline_loss": True}], indirect=True, ids=["kept", "lost"]
)


@BOTH
async def test_a_message_sent_while_the_bot_is_stopped(fake: FakeZalo, running: Any) -> None:
    """Kept: it arrives after the restart. Lost: it never does, and the next one still does."""
    sink = Sink()
    platform = await running(sink)
    lan = fake.user("Lan")
    await fake.wait_polling()
    await fake.type_as(lan, None, "trước")
    await sink.wait()
    await platform.stop()
    await until(lambda: fake.bots[TOKEN].polls_open == 0)  # its last long poll has ended
    fake.offline_after = 0.0  # the stop is long past any gap between two polls
    await fake.type_as(lan, None, "khi bot tắt")
    await platform.start(sink)
    await fake.wait_polling()
    await fake.type_as(lan, None, "sau")
    if fake.offline_loss:
        await sink.wait(2)
        assert [i.text for i in sink.got] == ["trước", "sau"]
        assert [u["message"]["text"] for u in fake.bots[TOKEN].lost] == ["khi bot tắt"]
    else:
        await sink.wait(3)
        assert [i.text for i in sink.got] == ["trước", "khi bot tắt", "sau"]


@BOTH
async def test_polling_start_warns_that_a_stop_may_lose_messages(
    fake: FakeZalo, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """One warning per polling bot at start, naming the production mode; never the token."""
    caplog.set_level(logging.WARNING, logger="bot.platforms.zalo")
    await running(Sink())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("polling" in w and "webhook" in w and "lost" in w for w in warnings), warnings
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
