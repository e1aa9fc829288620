"""An outage by timeout: the platform's API takes every request in and answers none (it hangs),
on Telegram and on Zalo. Sends and long polls time out and are retried with growing waits (the
fake's request log shows no tight loop), nothing is lost or sent twice, the outbox catches up
once the API answers again, and a message typed during the outage is received and answered.

Time is scaled down about twenty times, by config: request_timeout_seconds 0.5 (15 s or 30 s
by default), poll_timeout_seconds 1 (30 s) and delivery.retry_base_seconds 0.2 or 0.1 (2 s). The
outage lasts until every message has been tried three times, a few seconds; a minute of it at
the configured timeouts is the same sequence, stretched."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.messages import ChatRef
from bot.core.models import JobStatus, OutboxStatus
from bot.delivery.outbox import Message
from tests.fakes.loopback import Hang, LoggedRequest
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.delivery_helpers import (
    finished,
    group_chat,
    private_chat,
    start_config,
    started,
)
from tests.support.harness import ZALO_BOT, eventually

# Waits (retries, limits, timeouts) on the loop's time, by the bot and the fake alike; idle
# waits skipped.
pytestmark = pytest.mark.virtual_time
REQUEST_TIMEOUT, POLL_TIMEOUT = 0.5, 1
# Zalo names no wait, so its adapter's own backoff (from half the retry base up to 30 times
# it, counted over all its sends) sets the pace there: a smaller base keeps the test short.
RETRY_BASE = {"telegram": 0.2, "zalo": 0.1}
TRIES_DURING_OUTAGE = 3  # the outage lasts until every message was tried this often
CHATS = 8
TEXT = "Thông báo mất kết nối"
NO_LIMITS = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}


def _config(tmp_path: Path, platform: str, fake: Any) -> Path:
    """Fast retries, no send limits, and short API timeouts for `platform`."""
    path = start_config(
        tmp_path, admins=[], **({"tg": fake} if platform == "telegram" else {"zl": fake}),
        extra={"delivery": {"retry_base_seconds": RETRY_BASE[platform], "max_attempts": 20,
                            "concurrency": 4, "telegram": NO_LIMITS, "zalo": NO_LIMITS}},
    )  # fmt: skip
    doc = yaml.safe_load(path.read_text("utf-8"))
    doc["platforms"][platform].update(
        request_timeout_seconds=REQUEST_TIMEOUT, poll_timeout_seconds=POLL_TIMEOUT
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _sends(entries: list[LoggedRequest]) -> dict[str, list[LoggedRequest]]:
    """The outbox's sends of TEXT per chat id, in order (hung ones have status 0)."""
    tries: dict[str, list[LoggedRequest]] = defaultdict(list)
    for e in entries:
        if e.method.lower() == "sendmessage" and str(e.params.get("text", "")).startswith(TEXT):
            tries[str(e.params.get("chat_id"))].append(e)
    return tries


def _check_backoff(
    tries: dict[str, list[LoggedRequest]], *, base: float, platform_wait: float
) -> None:
    """Each chat: the hung tries, then one answered (a new try, or the last hung one answered
    as the API came back); the k-th retry came at least the request timeout plus the k-th
    backoff wait (less its 20 % jitter) or the platform's wait later."""
    assert len(tries) == CHATS
    for chat, entries in tries.items():
        statuses = [(e.status, e.hung) for e in entries]
        assert statuses[-1][0] == 200, (chat, statuses)
        assert {s for s, _ in statuses[:-1]} == {0}, (chat, statuses)
        arrivals = [e for e in entries if not e.hung]  # a hung one's answer is no new try
        assert len([e for e in arrivals if e.status == 0]) >= TRIES_DURING_OUTAGE, statuses
        gaps = [b - a for a, b in itertools.pairwise(e.at for e in arrivals)]
        for k, gap in enumerate(gaps, start=1):
            wait = max(base * 2 ** (k - 1) * 0.8, platform_wait)
            assert gap >= REQUEST_TIMEOUT + wait - 0.05, (chat, k, gaps)


def _check_polls(entries: list[LoggedRequest], *, first_wait: float) -> None:
    """The long polls during the outage: each waited out its read timeout, then the poller
    waited before the next (no tight loop); one answered poll came after."""
    every = [e for e in entries if e.method.lower() == "getupdates"]
    polls = [e for e in every if not e.hung]  # a hung poll answered on release is no new try
    hung = [i for i, e in enumerate(polls) if e.status == 0]
    shown = [(round(e.at - polls[0].at, 2), e.status) for e in polls]
    assert len(hung) >= 2, f"the outage lasted across several long polls: {shown}"
    for i, j in itertools.pairwise(hung):
        assert j == i + 1, f"an answered poll in the middle of the outage: {shown}"
        gap = polls[j].at - polls[i].at
        assert gap >= POLL_TIMEOUT + REQUEST_TIMEOUT + first_wait - 0.05, shown
    answered = every[every.index(polls[hung[-1]]) + 1 :]
    assert any(e.status == 200 for e in answered), f"polling never came back: {shown}"


async def _outage(fake: Any, app: Any, chats: list[ChatRef], typed: Any) -> Any:
    """Hang the API, queue a bulk send and let `typed()` write to the bot; release the API
    once every message was tried TRIES_DURING_OUTAGE times; return the finished job."""
    assert app.services is not None
    hang = Hang()
    fake.hang = hang
    job = app.services.delivery.outbox.enqueue([_message(c) for c in chats], kind="test")
    # Typed once a long poll hangs, so only a poll after the outage can bring it in. (A reply
    # is not queued in the outbox: one due while the API hangs is given up after three tries.)
    await eventually(
        lambda: any(e.method == "getUpdates" and e.status == 0 for e in fake.log.entries),
        timeout=10, what="a hung long poll",
    )  # fmt: skip
    await typed()

    def tried_enough() -> bool:
        tries = _sends(fake.log.entries)
        return len(tries) == len(chats) and all(
            len(t) >= TRIES_DURING_OUTAGE for t in tries.values()
        )

    try:
        await eventually(tried_enough, timeout=60, what="three tries of every message")
    finally:
        hang.release()
        fake.hang = None
    return await finished(app, job, timeout=60)


def _message(chat: ChatRef) -> Message:
    return Message(chat, f"{TEXT} → {chat.id}")


async def test_telegram_api_hangs_then_everything_arrives_once_with_backoff(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    officer = fake.user(900001, "Cán bộ Lan")
    hoa = fake.user(900002, "Chị Hoa")
    groups = [
        fake.group(-100_000_000_000 - i, f"Nhóm {i}", admins=[officer]) for i in range(CHATS)
    ]
    bot, app = await started(tmp_path, _config(tmp_path, "telegram", fake))
    try:
        await fake.wait_polling()

        async def typed() -> None:
            fake.type_as(hoa, fake.private(hoa), "/batdau")

        done = await _outage(fake, app, [group_chat(g.id) for g in groups], typed)
        replies = await fake.wait_sent(fake.private(hoa), 1, timeout=30)
        assert app.store is not None
        items = app.store.outbox.for_job(done.id)
    finally:
        await bot.stop()
    assert done.status is JobStatus.DONE and done.summary == {"sent": CHATS}
    assert {i.status for i in items} == {OutboxStatus.SENT}, "nothing lost"
    for g in groups:
        assert len([m for m in fake.sent(g) if m.text.startswith(TEXT)]) == 1, "sent once"
    assert len(replies) == 1, "the message typed during the outage was answered, once"
    # Telegram's adapter asks for 1 s before a retry after a timeout, and the poller waits 1 s
    # after its first failed poll.
    _check_backoff(_sends(fake.log.entries), base=RETRY_BASE["telegram"], platform_wait=0.9)
    _check_polls(fake.log.entries, first_wait=1.0)


async def test_zalo_api_hangs_then_everything_arrives_once_with_backoff(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    fake = fake_zalo
    people = [fake.user(f"Người {i}") for i in range(CHATS)]
    hoa = fake.user("Chị Hoa")
    bot, app = await started(tmp_path, _config(tmp_path, "zalo", fake))
    try:
        for person in people:  # a Zalo bot may write only to people who wrote to it first
            await fake.type_as(person, None, "/batdau")
            await fake.wait_sent(fake.private(person), 1)
        await fake.wait_polling()

        async def typed() -> None:
            await fake.type_as(hoa, None, "/batdau")

        chats = [private_chat("zalo", ZALO_BOT, p.id) for p in people]
        done = await _outage(fake, app, chats, typed)
        replies = await fake.wait_sent(fake.private(hoa), 1, timeout=30)
        assert app.store is not None
        items = app.store.outbox.for_job(done.id)
    finally:
        await bot.stop()
    assert done.status is JobStatus.DONE and done.summary == {"sent": CHATS}
    assert {i.status for i in items} == {OutboxStatus.SENT}, "nothing lost"
    for p in people:
        texts = [m.text for m in fake.sent(fake.private(p))]
        assert len([t for t in texts if t.startswith(TEXT)]) == 1, "sent once"
    assert len(replies) == 1, "the message typed during the outage was answered, once"
    # Zalo gives no wait: the adapter's own backoff starts at half the retry base.
    _check_backoff(_sends(fake.log.entries), base=RETRY_BASE["zalo"], platform_wait=0.0)
    _check_polls(fake.log.entries, first_wait=RETRY_BASE["zalo"] / 2 * 0.75)
