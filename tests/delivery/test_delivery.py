"""Delivery under real limits: bulk sends keep the platforms' windows, replies are not starved."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.models import GroupBinding, OutboxStatus
from bot.delivery.outbox import Message
from tests.fakes.telegram_api import FakeTelegram
from tests.support.delivery_helpers import (
    finished,
    group_chat,
    messages,
    private_chat,
    start_config,
    started,
    window_breaches,
)
from tests.support.harness import eventually

# The limits are counted on the loop's time, by the bot and the fake alike; idle waits skipped.
pytestmark = pytest.mark.virtual_time
LIMITS = {"per_second_total": 30, "per_minute_per_group": 20, "per_second_per_chat": 1}


async def test_600_messages_to_200_groups_keep_the_limits_and_replies_flow(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """200 groups × 3 messages with flood limits on and 429s injected; people still get replies."""
    fake = fake_telegram
    fake.limits(per_second_total=30, per_minute_per_group=20, per_second_per_chat=1)
    officer = fake.user(900001, "Cán bộ Lan")
    people = [fake.user(910000 + i, f"Người {i}") for i in range(8)]
    groups = [fake.group(-100_000_000_000 - i, f"Nhóm {i}", admins=[officer]) for i in range(200)]
    config = start_config(tmp_path, tg=fake, admins=[f"telegram:{officer.id}"])
    bot, app = await started(tmp_path, config)
    try:
        fake.type_as(officer, fake.private(officer), "/batdau")
        await fake.wait_sent(fake.private(officer), 1)
        assert app.services is not None and app.store is not None
        person = app.store.people.by_account(f"telegram:{officer.id}")
        fake.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1",
                       retry_after=1, times=5)  # fmt: skip
        job = app.services.delivery.outbox.enqueue(
            messages([group_chat(g.id) for g in groups], 3), kind="test", requested_by=person,
            report_to=f"telegram::{officer.id}",
        )  # fmt: skip

        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        for round_ in range(4):
            await asyncio.sleep(2.0)
            for p in people:
                chat = fake.private(p)
                before = len(fake.sent(chat))
                t0 = loop.time()
                fake.type_as(p, chat, "/toi")
                await fake.wait_sent(chat, before + 1, timeout=10)
                latencies.append(loop.time() - t0)
            assert app.store.outbox.get_job(job.id).status == "running", f"round {round_}"

        result = await finished(app, job, timeout=90)
        assert result.summary == {"sent": 600}
        for g in groups:
            texts = [m.text for m in fake.sent(g)]
            assert texts == [f"Thông báo {k}/3 cho {g.id}" for k in (1, 2, 3)]
        refused = [e for e in fake.log.entries if e.status == 429]
        assert len(refused) == 5, "the fake's own flood limiter refused a send"
        assert window_breaches(fake.log.entries, **LIMITS) == []
        # Replies went ahead of the bulk: seconds at most, while the bulk took ~20 s.
        assert max(latencies) < 3.0, latencies
        officer_chat = fake.private(officer)
        await eventually(
            lambda: fake.sent(officer_chat)[-1].text == "✅ Đã gửi xong: 600/600 thành công.",
            what="the final summary",
        )
        assert len(fake.sent(officer_chat)) == 2  # the greeting, then one progress message
        assert len(fake.sent(officer_chat)[-1].edits) >= 3, "progress was not edited in place"
        items = app.store.outbox.for_job(job.id)
        retried = [i for i in items if i.attempts > 1]
        assert len(retried) == 5 and all(i.status is OutboxStatus.SENT for i in items)
    finally:
        await bot.stop()


async def test_removed_group_and_blocked_person_are_marked_unreachable_and_named(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Telegram 403 is permanent: no retry, the chat is unreachable, the summary says so."""
    fake = fake_telegram
    officer, hoa = fake.user(900001, "Cán bộ Lan"), fake.user(900002, "Chị Hoa")
    ok_group = fake.group(-1001, "Nhóm A", admins=[officer])
    gone_group = fake.group(-1002, "Nhóm B", admins=[officer])
    config = start_config(tmp_path, tg=fake, admins=[f"telegram:{officer.id}"])
    bot, app = await started(tmp_path, config)
    try:
        for user in (officer, hoa):
            fake.type_as(user, fake.private(user), "/batdau")
            await fake.wait_sent(fake.private(user), 1)
        assert app.services is not None and app.store is not None
        app.store.groups.save(GroupBinding(chat_key=f"telegram::{gone_group.id}", area="18133"))
        fake.bot_removed(gone_group, officer)
        fake.block(fake.private(hoa))
        person = app.store.people.by_account(f"telegram:{officer.id}")
        hoa_person = app.store.people.by_account(f"telegram:{hoa.id}")
        batch = messages([group_chat(ok_group.id), group_chat(gone_group.id)], 1)
        batch += messages([private_chat("telegram", "", str(hoa.id))], 1)
        job = app.services.delivery.outbox.enqueue(
            batch, kind="test", requested_by=person, report_to=f"telegram::{officer.id}"
        )
        result = await finished(app, job, timeout=15)
        assert result.summary == {"sent": 1, "unreachable": 2}
        calls = [
            e for e in fake.log.calls("sendMessage") if str(e.params.get("chat_id")) == "-1002"
        ]
        assert len(calls) == 1, "a 403 must not be retried"
        officer_chat = fake.private(officer)
        await eventually(
            lambda: fake.sent(officer_chat)[-1].text.startswith("✅ Đã gửi xong: 1/3"),
            what="the final summary",
        )
        summary = fake.sent(officer_chat)[-1].text
        assert "bị chặn" in summary and "Chị Hoa" in summary
        binding = app.store.groups.get(f"telegram::{gone_group.id}")
        assert binding is not None and not binding.active
        hoa_now = app.store.people.get(hoa_person.id)  # type: ignore[union-attr]
        assert hoa_now is not None and not hoa_now.accounts[0].reachable
    finally:
        await bot.stop()


async def test_a_message_for_a_platform_that_is_not_running_waits(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """No Zalo token today: its messages stay queued, and nobody is marked unreachable."""
    config = start_config(tmp_path, tg=fake_telegram, admins=[])
    bot, app = await started(tmp_path, config)
    try:
        assert app.services is not None and app.store is not None
        job = app.services.delivery.outbox.enqueue(
            [Message(private_chat("zalo", "zalo1", "abc"), "Nhắc việc")], kind="test"
        )
        store = app.store
        await eventually(lambda: store.outbox.for_job(job.id)[0].attempts == 1, what="an attempt")
        item = store.outbox.for_job(job.id)[0]
        assert item.status is OutboxStatus.PENDING and "not running" in item.error
        assert (item.next_attempt_at - item.created_at).total_seconds() >= 250
    finally:
        await bot.stop()
