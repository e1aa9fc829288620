"""The same update POSTed to both instances at the same moment (a redelivery racing the first
delivery, or two load balancers): both answer 200, and it is handled once: one report stored,
one echo in the chat."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from tests.cluster.conftest import ClusterMaker
from tests.cluster.scene import (
    SECRET,
    collaborators,
    open_shared_store,
    telegram_update,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support.cluster import until
from tests.support.harness import eventually

pytestmark = pytest.mark.slow
PEOPLE = 20  # one update each, each raced on both instances
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def _is_echo(text: str) -> bool:
    return text.startswith("✅ Đã lưu báo cáo")


async def test_the_same_update_on_both_instances_at_once_is_handled_once(
    tmp_path: Path, fake_telegram: FakeTelegram, database: str, make_cluster: ClusterMaker
) -> None:
    fake = fake_telegram
    users = [fake.user(810_000 + i, f"CTV {i}") for i in range(PEOPLE)]
    for u in users:
        fake.private(u)
        fake.bot_state().started.add(u.id)  # each wrote to the bot before
    config, env = collaborators(tmp_path, fake, database, users)
    cluster = make_cluster(config, env)
    await cluster.start()
    a, b = cluster["a"], cluster["b"]

    async with aiohttp.ClientSession() as http:

        async def post(port: int, body: dict) -> int:
            url = f"http://127.0.0.1:{port}/webhook/telegram"
            async with http.post(url, json=body, headers=HEADERS) as resp:
                return resp.status

        for i, u in enumerate(users):
            body = telegram_update(90_000_000 + i, u, f"/bc sinh {i + 1}, chet 0", message_id=5)
            statuses = await asyncio.gather(post(a.port, body), post(b.port, body))
            assert statuses == [200, 200], "each instance acknowledges it (one as known)"

    def echoes() -> list[list[str]]:
        return [[m.text for m in fake.sent(fake.private(u)) if _is_echo(m.text)] for u in users]

    counts: list[dict] = []

    async def all_accounted() -> bool:
        """Each of the 2 × PEOPLE deliveries handled or dropped as known, nothing waiting."""
        counts[:] = [(await inst.health())["intake"] for inst in (a, b)]
        seen = sum(c["handled"] + c["duplicates"] for c in counts)
        return seen >= 2 * PEOPLE and all(c["queued"] == 0 for c in counts)

    await until(all_accounted, timeout=30, what="every delivery to be handled or dropped")
    assert sum(c["handled"] for c in counts) == PEOPLE, counts
    assert sum(c["duplicates"] for c in counts) == PEOPLE, counts
    await eventually(lambda: all(echoes()), timeout=10, what="an echo in every chat")
    assert [len(e) for e in echoes()] == [1] * PEOPLE, "each update handled exactly once"
    for i, found in enumerate(echoes()):
        assert f"• Sinh: {i + 1}" in found[0]

    await cluster.stop()
    store = open_shared_store(config, env)
    try:
        period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
        reports = store.reports.in_period("danso", period)
        assert sorted(r.values.get("sinh") for r in reports) == list(range(1, PEOPLE + 1))
    finally:
        store.close()
