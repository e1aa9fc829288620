"""Long polling stays single-instance: a second process polling the same database's bots refuses
to start, says to use webhooks, and exits non-zero; the first polls on, undisturbed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster.conftest import ClusterMaker
from tests.cluster.scene import DB_PASSWORD, cluster_config, cluster_environ
from tests.fakes.telegram_api import FakeTelegram
from tests.support.harness import ReplyWaiter, TelegramDriver, eventually

pytestmark = pytest.mark.slow


async def test_a_second_instance_refuses_to_poll(
    tmp_path: Path, fake_telegram: FakeTelegram, database: str, make_cluster: ClusterMaker
) -> None:
    fake = fake_telegram
    config = cluster_config(tmp_path, tg=fake, mode="polling")
    cluster = make_cluster(config, cluster_environ(database))
    first, second = cluster["a"], cluster["b"]
    await first.start()
    await fake.wait_polling(timeout=15)
    polls = len(fake.log.calls("getUpdates"))

    await second.process.start()  # not Instance.start: it must end by itself
    code = await second.exit_code(timeout=60)
    said = second.process.stderr()
    assert code != 0, said
    assert "webhook" in said.lower(), said
    assert "Traceback" not in said, "a refusal, not a crash"
    assert DB_PASSWORD not in said and DB_PASSWORD not in first.process.stderr()
    assert await first.health(), "the first instance still answers"

    # It never took a long poll from the first (the fake would have ended that one with 409).
    assert not [e for e in fake.log.entries if e.status == 409]
    driver = TelegramDriver(fake, None)  # type: ignore[arg-type]  # the bot is another process
    hoa = driver.person("Chị Hoa")
    replies = await ReplyWaiter(driver).say(hoa, driver.private(hoa), "/toi")
    assert replies and replies[0], "the first instance still polls and answers"
    await eventually(lambda: len(fake.log.calls("getUpdates")) > polls, what="a later poll")
