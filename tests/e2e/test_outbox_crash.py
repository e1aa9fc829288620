"""A bulk send killed with SIGKILL at the k-th send the fake answers: after a restart nothing is
missing, and every message that arrived twice is one the outbox recorded as in flight."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_config
from bot.models import OutboxItem, OutboxStatus
from bot.store import open_store
from tests.e2e.harness import ZALO_BOT, BotProcess, bot_environ, eventually, write_config
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

pytestmark = pytest.mark.slow
CONCURRENCY = 4


def _queue(config: Path, chats: list[tuple[str, str]]) -> int:
    """Write a job straight into the store, as a directive would, before the bot starts."""
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
                        text=f"Chỉ thị số 7 → {key}",
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


@pytest.mark.parametrize(
    ("platform", "k"), [("telegram", 1), ("telegram", 9), ("telegram", 23), ("zalo", 6)]
)
async def test_kill_during_a_bulk_send_loses_nothing_and_repeats_only_what_was_in_flight(
    platform: str, k: int, tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """Seeded kill points: after the k-th answered send the process dies before hearing it."""
    if platform == "telegram":
        fake = fake_telegram
        boss = fake.user(900001, "Cán bộ")
        handles = [fake.group(-100_000_000_000 - i, f"Nhóm {i}", admins=[boss]) for i in range(30)]
        chats = [(f"telegram::{g.id}", "group") for g in handles]
        method = "sendMessage"
    else:
        fake = fake_zalo
        handles = [fake.user(f"Người {i}") for i in range(20)]
        for person in handles:
            await fake.type_as(person, None, "xin chào")
        chats = [(f"zalo:{ZALO_BOT}:{p.id}", "private") for p in handles]
        method = "sendMessage"
    config = write_config(
        tmp_path, admins=[], telegram_url=fake_telegram.base_url, zalo_url=fake_zalo.base_url,
        extra={"delivery": {"concurrency": CONCURRENCY, "retry_base_seconds": 0.2}},
    )  # fmt: skip
    job_id = _queue(config, chats)
    hold = ResponseHold(method, k, match=lambda p: str(p.get("text", "")).startswith("Chỉ thị"))
    fake.hold = hold
    bot = BotProcess(config, bot_environ())
    await bot.start()
    try:
        await eventually(hold.reached.is_set, timeout=30, what=f"the {k}-th send")
        await bot.kill()
        hold.release()
        fake.hold = None
        await bot.start()

        def texts(handle: object) -> list[str]:
            chat = handle if platform == "telegram" else fake.private(handle)
            return [m.text for m in fake.sent(chat) if m.text.startswith("Chỉ thị số 7")]

        await eventually(lambda: all(texts(h) for h in handles), timeout=60, what="every message")
    finally:
        await bot.stop()
    copies = {key: len(texts(h)) for (key, _), h in zip(chats, handles, strict=True)}
    assert all(n >= 1 for n in copies.values()), "a message was lost"
    store = open_store(load_config(config, environ=bot_environ()).data_dir)
    try:
        items = {i.chat_key: i for i in store.outbox.for_job(job_id)}
        assert Counter(i.status for i in items.values()) == {OutboxStatus.SENT: len(chats)}
        repeated = {key for key, n in copies.items() if n > 1}
        flagged = {key for key, item in items.items() if item.possibly_repeated}
        assert repeated <= flagged, "a message went out twice without being recorded as such"
        assert 1 <= len(flagged) <= CONCURRENCY
        assert repeated, "the held send was delivered, so its chat must show it twice"
    finally:
        store.close()
