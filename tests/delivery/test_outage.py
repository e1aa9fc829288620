"""An outage of the platform's API (500 on every send for a while): nothing is lost, the outbox
catches up when the API comes back, and the retries of each message back off as scheduled —
no tight loop. Time is scaled down: retry_base_seconds 0.2 instead of the configured 2."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from bot.core.models import JobStatus, OutboxStatus
from tests.fakes.telegram_api import FakeTelegram
from tests.support.delivery_helpers import finished, group_chat, messages, start_config, started

# Waits (retries, limits, timeouts) on the loop's time, by the bot and the fake alike; idle
# waits skipped.
pytestmark = pytest.mark.virtual_time
OUTAGE_CALLS = 30  # the next 30 sends all fail with 500


async def test_500s_for_a_while_then_everything_arrives_with_backoff(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    officer = fake.user(900001, "Cán bộ Lan")
    groups = [fake.group(-100_000_000_000 - i, f"Nhóm {i}", admins=[officer]) for i in range(8)]
    config = start_config(
        tmp_path, tg=fake, admins=[],
        extra={"delivery": {"retry_base_seconds": 0.2, "max_attempts": 20, "concurrency": 4,
                            "telegram": {"per_second_total": None, "per_minute_per_group": None,
                                         "per_second_per_chat": None}}},
    )  # fmt: skip
    bot, app = await started(tmp_path, config)
    try:
        assert app.services is not None and app.store is not None
        fake.fail_next("sendMessage", status=500, description="Internal Server Error",
                       times=OUTAGE_CALLS)  # fmt: skip
        job = app.services.delivery.outbox.enqueue(
            messages([group_chat(g.id) for g in groups], 1), kind="test"
        )
        done = await finished(app, job, timeout=60)
        items = app.store.outbox.for_job(job.id)
    finally:
        await bot.stop()
    assert done.status is JobStatus.DONE
    assert {i.status for i in items} == {OutboxStatus.SENT}, "nothing lost"
    for g in groups:
        assert len([m for m in fake.sent(g) if m.text.startswith("Thông báo")]) == 1
    tries: dict[str, list[float]] = defaultdict(list)
    for entry in fake.log.entries:
        if entry.method.lower() == "sendmessage":
            tries[str(entry.params.get("chat_id"))].append(entry.at)
    calls = sum(len(t) for t in tries.values())
    assert calls == OUTAGE_CALLS + len(groups), "each failure retried once, no extra calls"
    for chat, times in tries.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # The k-th retry waits at least 0.2·2^(k-1) s less 20 % jitter (and Telegram's own
        # 1 s for a 5xx): never a tight loop, and the waits grow.
        for k, gap in enumerate(gaps, start=1):
            assert gap >= max(0.2 * 2 ** (k - 1) * 0.8, 0.9), (chat, k, gaps)
