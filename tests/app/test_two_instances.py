"""Two instances of the bot on one PostgreSQL database, in this process, taking webhook calls:
an update posted to both is handled once; one chat's updates, spread over both, are answered
in the order they were taken in; an update one instance took in and never handled is handled
by the other. (Two real processes, crashes and broadcasts: tests/cluster.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.app.runtime import App
from bot.core.clock import ManualClock
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.delivery.outbox import Message
from bot.store import open_store
from tests.fakes.telegram_api import FakeTelegram
from tests.support.harness import RunningBot, bot_environ, eventually, write_config
from tests.support.pg import pg_url  # noqa: F401  (fixture)

SECRET = "s3cret-webhook-token-for-tests"
USER = 515151


def _update(update_id: int, text: str) -> dict:
    user = {"id": USER, "is_bot": False, "first_name": "Hoa"}
    command = text.split()[0]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_790_000_000, "text": text,
            "chat": {"id": USER, "type": "private", "first_name": "Hoa"}, "from": user,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }  # fmt: skip


async def _post(session: aiohttp.ClientSession, app: App, body: dict) -> int:
    url = f"http://127.0.0.1:{app.web_port}/webhook/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with session.post(url, json=body, headers=headers) as resp:
        return resp.status


@pytest.fixture
async def pair(
    tmp_path: Path,
    clock: ManualClock,
    fake_telegram: FakeTelegram,
    pg_url: str,  # noqa: F811
) -> AsyncIterator[tuple[App, App]]:
    open_store(tmp_path, backend="postgres", url=pg_url).close()  # the schema, once
    environ = {**bot_environ(webhook_secret=SECRET), "DATABASE_URL": pg_url}
    store = {
        "backend": "postgres", "files_dir": str(tmp_path / "shared-files"),
        "heartbeat_seconds": 0.25, "dead_after_seconds": 2.0,
    }  # fmt: skip
    bots = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        config = write_config(
            tmp_path / name, admins=[], mode="webhook", telegram_url=fake_telegram.base_url,
            public_base_url="https://bot.example.org",
            extra={"store": store, "intake": {"per_person_per_minute": 6000, "burst": 500}},
        )  # fmt: skip
        bots.append(RunningBot(config, environ, clock))
    fake_telegram.private(fake_telegram.user(USER, "Hoa"))
    fake_telegram.bot_state().started.add(USER)  # Hoa wrote to the bot first
    first, second = await bots[0].start(), await bots[1].start()
    try:
        yield first, second
    finally:
        for bot in bots:
            await bot.stop()


def _replies(fake: FakeTelegram) -> list[str]:
    chat = fake.private(fake.user(USER, "Hoa"))
    return [m.text for m in fake.sent(chat)]


async def test_an_update_posted_to_both_is_handled_once(
    pair: tuple[App, App], fake_telegram: FakeTelegram
) -> None:
    a, b = pair
    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(
            _post(session, a, _update(1, "/khong01")), _post(session, b, _update(1, "/khong01"))
        )
    assert statuses == [200, 200]
    await eventually(lambda: len(_replies(fake_telegram)) >= 1, what="a reply")
    await asyncio.sleep(0.3)  # a second reply, if any, would have come by now
    assert _replies(fake_telegram) == ["Không có lệnh /khong01. Gõ /trogiup để xem các lệnh."]
    assert a.inbound is not None and b.inbound is not None
    assert a.inbound.handled + b.inbound.handled == 1
    assert a.inbound.duplicates + b.inbound.duplicates == 1


async def test_one_chats_updates_spread_over_both_are_answered_in_order(
    pair: tuple[App, App], fake_telegram: FakeTelegram
) -> None:
    apps = pair
    commands = [f"/lenh{n:02}" for n in range(24)]
    async with aiohttp.ClientSession() as session:
        for n, command in enumerate(commands):  # one after another, as Telegram delivers them
            assert await _post(session, apps[n % 2], _update(100 + n, command)) == 200
    await eventually(lambda: len(_replies(fake_telegram)) >= len(commands), timeout=10)
    expected = [f"Không có lệnh {c}. Gõ /trogiup để xem các lệnh." for c in commands]
    assert _replies(fake_telegram) == expected
    # Each is marked handled once its reply went out: the last mark may come just after.
    await eventually(
        lambda: sum(app.inbound.handled for app in apps if app.inbound) == len(commands),
        what="every update marked handled once",
    )
    await asyncio.sleep(0.2)  # none more (a second handling would count here)
    assert sum(app.inbound.handled for app in apps if app.inbound) == len(commands)


async def test_an_update_left_by_an_instance_is_handled_by_the_other(
    pair: tuple[App, App], fake_telegram: FakeTelegram
) -> None:
    a, _ = pair
    assert a.store is not None and a.inbound is not None
    # Taken in by an instance that died before handling it: only the database has it.
    inc = Incoming(
        update_id="7", kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", str(USER), ChatKind.PRIVATE),
        sender=UserRef("telegram", "", str(USER)), sender_name="Hoa", text="/bohoang",
        date=datetime(2026, 12, 1, tzinfo=UTC), message_id="7",
    )  # fmt: skip
    assert a.store.inbound.receive(a.inbound.key(inc), inc, at=a.clock.now()) is True
    await eventually(lambda: len(_replies(fake_telegram)) >= 1, timeout=8, what="adoption")
    assert _replies(fake_telegram) == ["Không có lệnh /bohoang. Gõ /trogiup để xem các lệnh."]


async def test_healthz_says_who_leads_and_what_each_sees_of_the_other(
    pair: tuple[App, App],
) -> None:
    bodies = []
    async with aiohttp.ClientSession() as session:
        for app in pair:
            async with session.get(f"http://127.0.0.1:{app.web_port}/healthz") as resp:
                bodies.append(await resp.json())
    clusters = [body["cluster"] for body in bodies]
    assert [c["leader"] for c in clusters] == [True, False]  # the first to start leads
    ids = {c["instance"] for c in clusters}
    for cluster in clusters:
        assert cluster["live"] == 2
        assert {p["id"] for p in cluster["peers"]} == ids
        assert all(p["alive"] for p in cluster["peers"])
        leaders = [p["id"] for p in cluster["peers"] if p["leader"]]
        assert leaders == [clusters[0]["instance"]]


async def test_both_send_a_bulk_job_once_and_the_leader_tells_the_result(
    pair: tuple[App, App], fake_telegram: FakeTelegram
) -> None:
    a, b = pair
    assert a.services is not None and b.services is not None and a.store is not None
    users = [fake_telegram.user(600_000 + n, f"CTV {n}") for n in range(40)]
    for user in users:
        fake_telegram.private(user)
        fake_telegram.bot_state().started.add(user.id)
    messages = [
        Message(ChatRef("telegram", "", str(u.id), ChatKind.PRIVATE), f"Tin số {n}")
        for n, u in enumerate(users)
    ]
    # Queued by the second instance (not the leader): both send, the leader tells the result.
    job = b.services.delivery.outbox.enqueue(messages, kind="test", report_to=f"telegram::{USER}")
    await eventually(
        lambda: any(t.startswith("✅ Đã gửi xong") for t in _replies(fake_telegram)),
        timeout=15, what="the result",
    )  # fmt: skip
    for n, user in enumerate(users):
        assert [m.text for m in fake_telegram.sent(fake_telegram.private(user))] == [f"Tin số {n}"]
    items = a.store.outbox.for_job(job.id)
    senders = {item.claimed_by for item in items}
    assert senders == {a.cluster.id, b.cluster.id}  # type: ignore[union-attr]
    stored = a.store.outbox.get_job(job.id)
    assert stored is not None and stored.status.name == "DONE"
    finals = [t for t in _replies(fake_telegram) if t.startswith("✅ Đã gửi xong")]
    assert finals == ["✅ Đã gửi xong: 40/40 thành công."]
