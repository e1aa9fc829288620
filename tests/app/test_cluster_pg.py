"""Several instances on one PostgreSQL database: liveness, the leader's lock, the poller's lock,
chats' turns, and the share of the send limits (bot/store/postgres/cluster.py,
bot/app/cluster/role.py, bot/app/cluster/turns.py). Two Cluster objects are two instances: each
holds a session of its own, as two processes do."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app.cluster.role import WINDOW_SETTLE, ClusterRole
from bot.app.cluster.turns import SharedTurns
from bot.core.messages import ChatKind, ChatRef
from bot.delivery.send_limits import RateLimits, SendLimiter
from bot.store import open_store
from bot.store.postgres.cluster import Cluster, ClusterError
from tests.support.pg import pg_url  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(pg_url: str, tmp_path) -> str:  # noqa: F811
    """A database with the store's tables (the store's migrations made them)."""
    open_store(tmp_path, backend="postgres", url=pg_url).close()
    return pg_url


def _soon(attempt: Callable[[], bool]) -> bool:
    """Whether `attempt` succeeds within a second (a session ending takes its server process a
    moment, as it takes the next heartbeat a moment to try again)."""
    deadline = time.monotonic() + 1.0
    while not attempt():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def pair(db: str) -> Iterator[tuple[Cluster, Cluster]]:
    a = Cluster(db, heartbeat=0.1, dead_after=0.5)
    b = Cluster(db, heartbeat=0.1, dead_after=0.5)
    yield a, b
    a.close()
    b.close()


def test_one_leader_and_the_lead_passes_when_its_session_ends(
    pair: tuple[Cluster, Cluster],
) -> None:
    a, b = pair
    assert a.try_lead() is True
    assert b.try_lead() is False
    assert a.try_lead() is True  # still holding it
    a.close()  # as a killed process: the session ends, the lock with it
    assert _soon(b.try_lead)
    assert b.leader is True


def test_only_one_instance_may_poll(pair: tuple[Cluster, Cluster]) -> None:
    a, b = pair
    assert a.try_poll() is True
    assert b.try_poll() is False
    a.close()
    assert _soon(b.try_poll)


def test_a_chat_has_one_turn_at_a_time(pair: tuple[Cluster, Cluster]) -> None:
    a, b = pair
    assert a.take_turn("telegram::-100") is True
    assert a.take_turn("telegram::-100") is True  # its own again
    assert b.take_turn("telegram::-100") is False
    assert b.take_turn("telegram::-200") is True  # another chat
    a.give_turn("telegram::-100")
    assert b.take_turn("telegram::-100") is True
    a.give_turn("telegram::-200")  # not a's to give: nothing changes
    assert a.take_turn("telegram::-200") is False


def test_a_dead_holders_turn_frees_itself_and_a_live_one_keeps_it(
    pair: tuple[Cluster, Cluster],
) -> None:
    a, b = pair
    a.join()
    assert a.take_turn("chat") is True
    for _ in range(7):  # beats renew the turn past dead_after (0.5 s)
        time.sleep(0.1)
        a.beat()
    assert b.take_turn("chat") is False
    time.sleep(0.6)  # no beat: a is taken for dead
    assert b.take_turn("chat") is True


def test_who_is_alive_and_who_leads(pair: tuple[Cluster, Cluster]) -> None:
    a, b = pair
    a.join()
    b.join()
    assert a.alive_ids() == {a.id, b.id}
    a.try_lead()
    a.beat()
    peers = {p.id: p for p in b.peers()}
    assert peers[a.id].leader is True and peers[b.id].leader is False
    assert peers[a.id].alive and peers[a.id].pid == a.pid
    time.sleep(0.6)
    b.beat()  # a is silent
    assert b.alive_ids() == {b.id}
    assert {p.id: p.alive for p in b.peers()} == {a.id: False, b.id: True}
    b.leave()
    assert [p.id for p in a.peers()] == [a.id]


async def test_waiting_for_a_turn_ends_when_the_event_was_handled_elsewhere(
    pair: tuple[Cluster, Cluster],
) -> None:
    a, b = pair
    assert a.take_turn("chat")
    handled = False

    async def other_instance_finishes() -> None:
        nonlocal handled
        await asyncio.sleep(0.1)
        handled = True

    task = asyncio.create_task(other_instance_finishes())
    assert await SharedTurns(b).take("chat", done=lambda: handled) is False
    await task
    a.give_turn("chat")
    assert await SharedTurns(b).take("chat", done=lambda: False) is True


async def test_instances_share_the_limits_and_one_leads(pair: tuple[Cluster, Cluster]) -> None:
    a, b = pair
    limits = [SendLimiter(RateLimits()), SendLimiter(RateLimits())]
    led: list[str] = []

    def role(cluster: Cluster, limiter: SendLimiter) -> ClusterRole:
        async def lead() -> None:
            led.append(cluster.id)

        async def follow() -> None:
            led.remove(cluster.id)

        return ClusterRole(cluster, limiters=[limiter], on_lead=lead, on_follow=follow)

    first, second = role(a, limits[0]), role(b, limits[1])
    await first.start()
    assert led == [a.id] and limits[0].share == 1
    await second.start()
    await asyncio.sleep(0.25)  # a beat of each
    assert led == [a.id]
    assert [limiter.share for limiter in limits] == [2, 2]
    health = second.health()
    assert health["leader"] is False and health["live"] == 2
    assert {p["id"] for p in health["peers"]} == {a.id, b.id}
    await first.stop()  # hands over at once
    await asyncio.sleep(0.25)
    assert led == [b.id]
    assert second.health()["leader"] is True
    # The whole total again only once the other's last sends have left the platform's window.
    assert limits[1].share == 2
    await asyncio.sleep(WINDOW_SETTLE + 0.2)
    assert limits[1].share == 1
    await second.stop()
    assert led == []


def test_a_silent_leaders_session_is_ended_so_another_can_lead(
    pair: tuple[Cluster, Cluster],
) -> None:
    """A leader whose process froze (or whose machine was cut off while the server still
    keeps its connection) holds the lock; once it has been silent for dead_after, the next
    instance to try ends its session, and leads at its following try."""
    a, b = pair
    a.join()
    b.join()
    assert a.try_lead() is True
    assert b.try_lead() is False  # a is alive: nothing ended
    assert a.try_lead() is True
    time.sleep(0.6)  # a says nothing for longer than dead_after (0.5 s)
    b.beat()
    assert b.try_lead() is False  # ends a's session...
    assert _soon(b.try_lead)  # ...so the lock is free at a next try
    with pytest.raises(ClusterError):
        a.try_lead()  # a wakes up: its session is gone, and it knows it does not lead
    assert a.leader is False


def test_an_instance_that_cannot_reach_the_database_exits_5_without_the_password(
    tmp_path: Path,
) -> None:
    """Exit 5 (a supervisor starts it again); a missing DATABASE_URL is a config problem (2)."""
    config = tmp_path / "config.yaml"
    shipped = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config.write_text(shipped + "\nstore: {backend: postgres}\n", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", ""), "BOT_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": "postgresql://danso:s3cr3t-pass@127.0.0.1:1/danso?connect_timeout=2",
    }  # fmt: skip
    argv = [sys.executable, "-m", "bot", "run", "--config", str(config), "--no-sandbox"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 5, done.stderr
    assert "The store cannot be opened" in done.stderr
    assert "s3cr3t-pass" not in done.stdout + done.stderr
    del env["DATABASE_URL"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "DATABASE_URL environment variable is not set" in done.stderr


async def test_two_instances_keep_one_chats_pace_together(pair: tuple[Cluster, Cluster]) -> None:
    """A chat's limit counts every instance's messages: two limiters sending into the same
    chats at once, each with the chat's whole rate, never put two messages into one chat
    closer than its spacing (the moments are reserved in the database); other chats are not
    held up by it."""
    limits = RateLimits(per_second_total=None, per_second_per_chat=2, chat_margin=0.05)
    limiters = [SendLimiter(limits), SendLimiter(limits)]
    for limiter, cluster in zip(limiters, pair, strict=True):
        limiter.pace = cluster
    chat = ChatRef("telegram", "", "777", ChatKind.PRIVATE)
    other = ChatRef("telegram", "", "778", ChatKind.PRIVATE)
    loop = asyncio.get_running_loop()
    sent: dict[str, list[float]] = {chat.key: [], other.key: []}

    async def send(limiter: SendLimiter, into: ChatRef) -> None:
        slot = await limiter.acquire(into, urgent=False)
        sent[into.key].append(loop.time())
        await asyncio.sleep(0.02)  # the platform's answer
        slot.done()

    start = loop.time()
    await asyncio.gather(
        *(send(limiters[n % 2], chat) for n in range(4)), send(limiters[1], other)
    )
    times = sorted(sent[chat.key])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and min(gaps) >= 0.5, gaps  # 2 a second: 0.55 s apart, less jitter
    assert sent[other.key][0] - start < 0.5  # another chat goes at once


def test_an_instance_whose_session_ended_is_dead_at_once(pair: tuple[Cluster, Cluster]) -> None:
    """A killed process's connection closes and its session ends: the others take it for dead
    at once, not after dead_after (its chats' turns and its sends are taken over sooner)."""
    a, b = pair
    a.join()
    b.join()
    assert a.take_turn("chat") is True
    assert b.alive_ids() == {a.id, b.id}
    a.close()  # as SIGKILL: the row says a was seen just now, the session is gone
    assert _soon(lambda: b.alive_ids() == {b.id})
    assert b.take_turn("chat") is True
    assert {p.id: p.alive for p in b.peers()} == {a.id: False, b.id: True}
