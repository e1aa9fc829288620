"""Bulk sends killed with SIGKILL at seeded points: the k-th send of a job that the fake answers
is held, and the process dies before it hears the answer. After a restart nothing is missing,
every message that arrived twice is one the outbox recorded as in flight (possibly_repeated),
none arrived more than twice, the job's summary adds up, and the store is whole.

One fake server and one data directory serve every kill point of a platform: each round queues
a new job, starts the bot, kills it at that round's k, starts it again, waits until the bot logs
the job's end, and stops it cleanly. The kill points come from a seed, printed so a failure can be
replayed (OUTBOX_CRASH_SEED=<seed>)."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config.loading import load_config
from bot.core.models import JobStatus, OutboxItem, OutboxStatus
from bot.store import open_store
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.store.test_crash import assert_files_parse
from tests.support.harness import ZALO_BOT, BotProcess, bot_environ, eventually, write_config

pytestmark = pytest.mark.slow
CONCURRENCY = 4
SEED = int(os.environ.get("OUTBOX_CRASH_SEED", "20261125"))
# Kill points per platform (20 in all): Telegram rounds send to 30 groups, Zalo rounds to 20
# private chats.
ROUNDS = {"telegram": 14, "zalo": 6}
CHATS = {"telegram": 30, "zalo": 20}
# The sends' own rate limits are not what this checks; without them a round takes less time.
NO_LIMITS = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}


def kill_points(platform: str) -> list[int]:
    """The seeded k of each round (1 ≤ k ≤ the job's size), the same on every run of a seed."""
    rng = random.Random(f"{SEED}:{platform}")
    return [rng.randint(1, CHATS[platform]) for _ in range(ROUNDS[platform])]


def _prefix(round_: int) -> str:
    return f"Chỉ thị số {round_} →"


def _queue(config: Path, chats: list[tuple[str, str]], round_: int) -> int:
    """Write a job straight into the store, as a directive would, while the bot is down."""
    store = open_store(load_config(config, environ=bot_environ()).data_dir)
    now = datetime.now(UTC)
    try:
        with store.atomic():
            job = store.outbox.add_job(kind="test", created_at=now, total=len(chats))
            store.outbox.add(
                [
                    OutboxItem(
                        id=0,
                        job_id=job.id,
                        chat_key=key,
                        chat_kind=kind,
                        text=f"{_prefix(round_)} {key}",
                        status=OutboxStatus.PENDING,
                        created_at=now,
                        next_attempt_at=now,
                    )
                    for key, kind in chats
                ]
            )
        return job.id
    finally:
        store.close()


def _check_round(
    config: Path, job_id: int, copies: dict[str, int], *, k: int, round_: int
) -> None:
    """The at-least-once rule for one killed job, read from the store with the bot stopped."""
    where = f"round {round_} (k={k}, seed={SEED})"
    assert all(n >= 1 for n in copies.values()), f"{where}: a message was lost"
    assert max(copies.values()) <= 2, f"{where}: a message went out more than twice"
    data_dir = load_config(config, environ=bot_environ()).data_dir
    assert_files_parse(data_dir)
    store = open_store(data_dir)
    try:
        items = {i.chat_key: i for i in store.outbox.for_job(job_id)}
        assert set(items) == set(copies), f"{where}: the job lost or gained items"
        assert Counter(i.status for i in items.values()) == {OutboxStatus.SENT: len(copies)}
        repeated = {key for key, n in copies.items() if n > 1}
        flagged = {key for key, item in items.items() if item.possibly_repeated}
        assert repeated <= flagged, f"{where}: a repeat not recorded as possibly repeated"
        assert 1 <= len(flagged) <= CONCURRENCY, f"{where}: {len(flagged)} flagged"
        assert repeated, f"{where}: the held send was delivered, so its chat shows it twice"
        job = store.outbox.get_job(job_id)
        assert job is not None and job.status is JobStatus.DONE and job.finished_at is not None
        assert job.summary == {"sent": len(copies)}, f"{where}: summary {job.summary}"
        # The store's own indexes agree with the rows: nothing in flight, nothing due.
        assert store.outbox.inflight() == []
        assert store.outbox.backlog() == (0, None)
        assert store.outbox.due(now=datetime.max.replace(tzinfo=UTC), limit=10) == []
    finally:
        store.close()


def _setup(
    platform: str, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> tuple[Any, list[tuple[str, str]], Callable[[int], dict[str, int]]]:
    """The fake, the job's chats (key, kind), and a counter of each chat's copies of a round."""
    n = CHATS[platform]
    if platform == "telegram":
        boss = fake_telegram.user(900001, "Cán bộ")
        groups = [fake_telegram.group(-100_000_000_000 - i, f"Nhóm {i}", admins=[boss])
                  for i in range(n)]  # fmt: skip
        handles: list[tuple[str, Any]] = [(f"telegram::{g.id}", g) for g in groups]
        kind, fake = "group", fake_telegram
    else:
        people = [fake_zalo.user(f"Người {i}") for i in range(n)]
        handles = [(f"zalo:{ZALO_BOT}:{p.id}", fake_zalo.private(p)) for p in people]
        kind, fake = "private", fake_zalo

    def copies(round_: int) -> dict[str, int]:
        prefix = _prefix(round_)
        return {
            key: sum(m.text.startswith(prefix) for m in fake.sent(chat)) for key, chat in handles
        }

    return fake, [(key, kind) for key, _ in handles], copies


def _logged(bot: BotProcess, text: str) -> Callable[[], bool]:
    """A check that the bot's log holds `text` past its present end (reads only what is new)."""
    path = bot.log_path
    start = path.stat().st_size if path.exists() else 0
    seen = bytearray()
    wanted = text.encode()

    def check() -> bool:
        with path.open("rb") as f:
            f.seek(start + len(seen))
            seen.extend(f.read())
        return wanted in seen

    return check


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_kills_during_bulk_sends_lose_nothing_and_repeat_only_what_was_in_flight(
    platform: str, tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    fake, chats, copies = _setup(platform, fake_telegram, fake_zalo)
    if platform == "zalo":  # a Zalo bot may write only to people who wrote to it first
        for person in fake.bots[next(iter(fake.bots))].users:
            await fake.type_as(person, None, "xin chào")
    config = write_config(
        tmp_path, admins=[], **{f"{platform}_url": fake.base_url},
        extra={"delivery": {"concurrency": CONCURRENCY, "retry_base_seconds": 0.2,
                            "telegram": NO_LIMITS, "zalo": NO_LIMITS},
               "logging": {"level": "INFO", "format": "json"}},
    )  # fmt: skip
    points = kill_points(platform)
    print(f"outbox crash: seed={SEED} platform={platform} kill points={points}")
    bot = BotProcess(config, bot_environ(), forked=True)  # two starts a round: forked
    try:
        for round_, k in enumerate(points, start=1):
            job_id = _queue(config, chats, round_)
            prefix = _prefix(round_)
            hold = ResponseHold(
                "sendMessage",
                k,
                match=lambda p, pre=prefix: str(p.get("text", "")).startswith(pre),
            )
            fake.hold = hold
            await bot.start()
            await eventually(hold.reached.is_set, timeout=30, what=f"round {round_}: send {k}")
            await bot.kill()
            hold.release()
            fake.hold = None
            job_done = _logged(bot, f"outbox job={job_id} finished")
            await bot.start()
            # Finished as the restarted bot sees it (every copy may have arrived before the
            # kill, and a stop during start-up would be one more crash).
            await eventually(job_done, timeout=60, what=f"round {round_}: the job's end")
            await bot.stop()
            _check_round(config, job_id, copies(round_), k=k, round_=round_)
    finally:
        await bot.stop()
