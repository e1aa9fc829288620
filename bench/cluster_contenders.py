"""The contenders of bench/inbound_cluster.py: bot processes by webhook on a fake Telegram of
their own (bench/webhook_fake.py), on the embedded store or on a private copy of the PostgreSQL
seed (bench/bigseed.py), one or two instances, and what is read off them while the load runs:
their CPU, the database server's CPU for their connections, the transactions they commit, and
the whole machine's busy cores."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pgseed
import psycopg
from bigseed import BigSeeds
from common import NO_INTAKE_LIMIT, NO_LIMITS, cpu_seconds, stop_process
from fakeworld import World, spawn_bot, start_world
from inbound import Load
from webhook_fake import WebhookTelegram

from tests.fakes.loopback import monotonic

SIZE = 100_000
PUBLIC = "https://bot.example.org"  # the bot's public address; the fake routes it (targets)
SECRET = "bench-webhook-secret"
LINK_SECRET = "bench-link-secret-shared-by-every-instance"
START_TIMEOUT = 90.0
NAMES = ("embedded", "postgres", "postgres ×2")


@dataclass
class Result:
    name: str
    throughput: float = 0.0
    rounds: list[float] = field(default_factory=list)
    burst_latency: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    bot_cpu_ms: list[float] = field(default_factory=list)  # per update, per round
    db_cpu_ms: list[float] = field(default_factory=list)
    bench_cpu_ms: list[float] = field(default_factory=list)  # this process: the fake and load
    busy: list[float] = field(default_factory=list)  # cores busy on the whole machine, per round
    wrong: list[str] = field(default_factory=list)
    startup_s: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)
    failures: int = 0
    commits_per_update: float = 0.0


@dataclass
class Contender:
    name: str
    world: World
    procs: list[Any]
    logs: list[Path]
    load: Load
    result: Result
    database: str = ""  # the PostgreSQL database's name ("" on the embedded store)
    cleanup: Any = None  # leaves the database's clone

    def bot_cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def commits(self) -> int:
        """Transactions committed in the database so far (each statement outside a transaction
        block is one): the server's statistics, flushed by each connection within a second."""
        if not self.database:
            return 0
        with psycopg.connect(pgseed.server_url(), autocommit=True) as conn:
            row = conn.execute(
                "select xact_commit from pg_stat_database where datname = %s", [self.database]
            ).fetchone()
        return int(row[0])

    def db_cpu(self) -> float:
        if not self.database:
            return 0.0
        return sum(_cpu_or_zero(pid) for pid in _backends(self.database))


def _backends(database: str) -> list[int]:
    with psycopg.connect(pgseed.server_url(), autocommit=True) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity where datname = %s", [database]
        ).fetchall()
    return [pid for (pid,) in rows]


def _cpu_or_zero(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except (OSError, IndexError):
        return 0.0


def jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _started(proc: Any, log: Path, deadline: float) -> None:
    """Until the bot logs "bot started" (RuntimeError with its log's tail if it exits first)."""
    while True:
        text = log.read_text("utf-8", errors="replace") if log.exists() else ""
        for line in text.splitlines():
            try:
                if str(json.loads(line).get("msg", "")).startswith("bot started"):
                    return
            except (ValueError, AttributeError):
                continue
        if proc.returncode is not None or monotonic() > deadline:
            why = "exited" if proc.returncode is not None else "did not start in time"
            msg = f"bot {why}: {text[-2000:]}"
            raise RuntimeError(msg)
        await asyncio.sleep(0.05)


async def start(big: BigSeeds, name: str) -> Contender:
    seed = big.seed_view(SIZE)
    folder = big.ctx.tmp / f"inbound-cluster-{name.replace(' ×', '-')}"
    folder.mkdir(parents=True, exist_ok=True)
    fake = WebhookTelegram()
    world = await start_world(seed, fake=fake)
    env = {"TELEGRAM_WEBHOOK_SECRET": SECRET, "BOT_LINK_SECRET": LINK_SECRET}
    instances = 2 if name.endswith("×2") else 1
    store: dict[str, Any] | None = None
    database, cleanup = "", None
    if name == "embedded":
        data_dirs = [big.embedded(SIZE).copy_data(folder / "data")]
    else:
        cleanup = big.pg(SIZE).clone()
        url, _ = cleanup.__enter__()
        database = url.rsplit("/", 1)[1]
        env["DATABASE_URL"] = url
        store = {"backend": "postgres", "files_dir": str(folder / "shared-files")}
        data_dirs = [folder / f"data-{i}" for i in range(instances)]
    procs, logs, ports = [], [], []
    started = monotonic()
    try:
        for i, data_dir in enumerate(data_dirs):
            port = _free_port()
            extra: dict[str, Any] = {
                "web": {"host": "127.0.0.1", "port": port, "public_base_url": PUBLIC},
                "platforms": {
                    "telegram": {"enabled": True, "mode": "webhook",
                                 "api_base_url": fake.base_url},
                    "zalo": {"enabled": False, "bots": []},
                },
                "intake": NO_INTAKE_LIMIT,
                **({"store": store} if store else {}),
            }  # fmt: skip
            config = seed.config(
                folder / f"instance-{i}", data_dir=data_dir, telegram_url=fake.base_url,
                delivery={"telegram": NO_LIMITS}, extra=extra,
            )  # fmt: skip
            log = folder / f"bot-{i}.log"
            procs.append(await spawn_bot(config, log, env=env))
            logs.append(log)
            ports.append(port)
        deadline = monotonic() + START_TIMEOUT
        for proc, log in zip(procs, logs, strict=True):
            await _started(proc, log, deadline)
    except BaseException:
        for proc in procs:
            await stop_process(proc)
        await fake.stop()
        if cleanup is not None:
            cleanup.__exit__(None, None, None)
        raise
    fake.targets = [f"http://127.0.0.1:{port}" for port in ports]
    result = Result(name, startup_s=monotonic() - started)
    return Contender(name, world, procs, logs, Load(world, name), result, database, cleanup)


async def stop(c: Contender) -> None:
    for proc in c.procs:
        await stop_process(proc)
    await c.world.fake.stop()
    if c.cleanup is not None:
        c.cleanup.__exit__(None, None, None)


def check(c: Contender, texts: list[str]) -> None:
    c.result.wrong += [t for t in texts if not t.startswith("✅")]
