"""One scheduler leader: the leader is killed with SIGKILL a second before a reminder is due. The
other instance becomes the leader (its /healthz says so) within the time a dead one takes to be
noticed, and fires the reminder once: one message in each chat it goes to, one row in
reminder_firings, recorded by the new leader. The old one, started again, follows and fires
nothing more.

The bot runs on real time here (separate processes), and reminders are set to the minute. So
that the test need not wait for the next minute, the reminder (fired yesterday, due again at
the start of the minute) is held by the night's quiet hours, which end a few seconds from the
test's start: the moment it may speak, to the second, is the end of the quiet hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import Reminder, ReminderKind
from tests.cluster.conftest import ClusterMaker
from tests.cluster.scene import (
    DEAD_AFTER,
    HEARTBEAT,
    cluster_config,
    cluster_environ,
    open_shared_store,
    sql,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support.cluster import until
from tests.support.directive_seed import seed_store, telegram_team
from tests.support.harness import eventually

pytestmark = pytest.mark.slow
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOM = 8.0  # seconds to start two instances and see one lead, before the reminder speaks
BEFORE = 1.0  # seconds before that moment that the leader dies
TEXT = "Cập nhật sổ theo dõi"
PEER_KEYS = {"id", "host", "pid", "leader", "alive", "seen_seconds_ago"}


def _moments() -> tuple[datetime, datetime]:
    """When the reminder may speak (ROOM seconds from now, to the second), and the minute it is
    due at (the whole minute of that moment; quiet hours from then hold it until then)."""
    speaks = (datetime.now(UTC) + timedelta(seconds=ROOM + 1)).replace(microsecond=0)
    return speaks, speaks.replace(second=0)


async def _sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def _check_health(body: dict[str, Any], *, leads: bool, live: int) -> None:
    cluster = body["cluster"]
    assert cluster["leader"] is leads and cluster["live"] == live, cluster
    peers = cluster["peers"]
    assert len([p for p in peers if p["alive"]]) == live, peers
    assert all(set(p) == PEER_KEYS for p in peers), peers
    me = next(p for p in peers if p["id"] == cluster["instance"])
    assert me["leader"] is leads and me["alive"], me


async def test_the_reminder_fires_once_when_the_leader_dies_just_before_it(
    tmp_path: Path, fake_telegram: FakeTelegram, database: str, make_cluster: ClusterMaker
) -> None:
    fake = fake_telegram
    team = telegram_team(fake, groups=10, private_communes=2, villages=2, per_village=3)
    speaks, due = _moments()
    config = cluster_config(tmp_path, tg=fake, extra={
        "areas": team.tree,
        "scheduler": {"quiet_start": due.astimezone(VN).strftime("%H:%M"),
                      "quiet_end": speaks.astimezone(VN).strftime("%H:%M:%S")},
    })  # fmt: skip
    env = cluster_environ(database)
    seed_store(config, team.members, team.bindings, environ=env)
    store = open_shared_store(config, env)
    try:
        with store.atomic():
            rem = store.reminders.add(Reminder(
                id=0, kind=ReminderKind.DAILY, at=due.astimezone(VN).strftime("%H:%M"),
                text=TEXT, created_at=due - timedelta(days=2),
                last_fired=due - timedelta(days=1),
            ))  # fmt: skip
    finally:
        store.close()
    cluster = make_cluster(config, env)
    await cluster.start()
    leader = await cluster.leader()
    follower = next(i for i in cluster.instances.values() if i is not leader)
    _check_health(await leader.health(), leads=True, live=2)
    _check_health(await follower.health(), leads=False, live=2)
    targets = team.groups + [fake.private(u) for u in team.private]

    def reminders(chat: Any) -> int:
        return sum(1 for m in fake.sent(chat) if TEXT in m.text)

    assert datetime.now(UTC) < speaks - timedelta(seconds=BEFORE), "the start took too long"
    await _sleep_until(speaks - timedelta(seconds=BEFORE))
    assert not any(reminders(c) for c in targets), "nothing is due yet"
    await cluster.kill(leader.name)
    killed = asyncio.get_running_loop().time()

    async def leads() -> bool:
        return bool((await follower.health())["cluster"]["leader"])

    await until(leads, timeout=DEAD_AFTER + 4 * HEARTBEAT + 2, what="the other to lead")
    took = asyncio.get_running_loop().time() - killed
    await eventually(lambda: all(reminders(c) for c in targets), timeout=30,
                     what="the reminder in every chat")  # fmt: skip

    async def drained() -> bool:
        return (await follower.health())["outbox"]["backlog"] == 0

    await until(drained, timeout=30, what="the outbox to drain")
    await cluster.restart(leader.name)  # as its supervisor would: it follows now
    assert (await cluster.leader()) is follower
    _check_health(await leader.health(), leads=False, live=2)
    _check_health(await follower.health(), leads=True, live=2)
    await until(drained, timeout=30, what="the outbox to stay empty")
    assert [reminders(c) for c in targets] == [1] * len(targets), f"took over in {took:.1f} s"

    firings = sql(
        database, "select due_at, instance from reminder_firings where reminder_id = %s",
        (rem.id,),
    )  # fmt: skip
    assert firings == [(due, follower.id)], firings
