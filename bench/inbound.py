"""Inbound updates per second and reply latency: the bot against a bare PTB echo bot.

One fake Telegram per contender, in this process; the contender is a child process polling it
(`python -m bot run` on a copy of the seeded data directory, or bench/echo_bot.py). 50
collaborators, registered in the seed, type reports (`/bc sinh 7`, the number changing so that
no report looks like a repeat) in their 25 bound commune groups. Every flood limit is off, in
the fake and in the bot's config (`delivery.telegram`: all null), and so is the per-person
intake limit (`intake`: 30 a minute each, which 50 people typing flat out would hit at once):
this measures intake, not the limits. A reply counts when the fake receives the sendMessage
that quotes the message.

- throughput: each collaborator types their next report as soon as the previous one is
  answered (50 in flight); updates per second = n / (first typed → last answered), in 4
  rounds of n = 500 after a warm-up; the median round counts.
- latency: reports typed at a steady 40 per second (below every contender's capacity),
  round robin over the collaborators, 4 rounds of 100; each one's latency is from when the
  fake queued the update to when the fake received the reply; p50 and p95 of all 400.

All contenders run at once, each polling its own fake, and take turns in every round (in a
rotating order), so a noisy minute on a shared machine falls on all of them alike. The echo
bot runs twice, with PTB's default (updates one at a time) and with concurrent updates; the
anchor is the faster of the two. A third echo bot, concurrent over the bot's own aiohttp
transport, is reported beside them (not the anchor: the issue names a bare PTB echo bot).

Alone: `python bench/run.py --only inbound`.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
from dataclasses import dataclass, field
from typing import Any

from common import (
    NO_INTAKE_LIMIT,
    NO_LIMITS,
    Context,
    Outcome,
    Row,
    cpu_seconds,
    p50,
    pct,
    stop_process,
    verdict,
)
from fakeworld import World, spawn_bot, spawn_echo, start_world

from tests.fakes.loopback import monotonic
from tests.fakes.telegram_api import FakeChat, FakeUser

TARGET_RATIO = 0.9
TARGET_P95_MS = 15.0
NAMES = ("echo", "echo-concurrent", "echo-aiohttp", "bot")
ECHO_MODES = {"echo": "sequential", "echo-concurrent": "concurrent", "echo-aiohttp": "aiohttp"}
ROUNDS = 8
THROUGHPUT_N = 2000
LATENCY_N = 400
LATENCY_RATE = 40.0  # updates per second in the latency phase
WARMUP_PER_PERSON = 2


@dataclass
class Result:
    name: str
    throughput: float = 0.0
    burst_latency: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    startup_s: float = 0.0
    rounds: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU per update, per round


class Load:
    """The 50 collaborators and what they type."""

    def __init__(self, world: World, name: str) -> None:
        self.world = world
        self.name = name
        self.people: list[tuple[FakeChat, FakeUser]] = [
            (chat, user) for chat, users in world.groups for user in users
        ]
        self.counters = {user.id: itertools.count() for _, user in self.people}

    def text(self, user: FakeUser) -> str:
        # 1..40 in turn: never the same values as any of this person's last reports.
        return f"/bc sinh {next(self.counters[user.id]) % 40 + 1}"

    async def one(self, chat: FakeChat, user: FakeUser) -> tuple[float, str]:
        """Type one report; (latency in s, reply text) once the fake has the reply."""
        fake = self.world.fake
        typed = monotonic()
        message = fake.type_as(user, chat, self.text(user))
        try:
            at, text = await asyncio.wait_for(
                self.world.replies.expect(chat, message["message_id"]), 30
            )
        except TimeoutError:
            msg = (
                f"{self.name}: no reply within 30 s to message {message['message_id']} in "
                f"{chat.title}"
            )
            raise TimeoutError(msg) from None
        return at - typed, text

    async def closed_loop(self, total: int) -> tuple[float, list[float], list[str]]:
        left = itertools.count(total, -1)
        latencies: list[float] = []
        texts: list[str] = []

        async def person(chat: FakeChat, user: FakeUser) -> None:
            while next(left) > 0:
                latency, text = await self.one(chat, user)
                latencies.append(latency)
                texts.append(text)

        started = monotonic()
        await asyncio.gather(*(person(c, u) for c, u in self.people))
        return monotonic() - started, latencies, texts

    async def paced(self, total: int, rate: float) -> tuple[list[float], list[str]]:
        started = monotonic()
        tasks = []
        for i in range(total):
            delay = started + i / rate - monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            chat, user = self.people[i % len(self.people)]
            tasks.append(asyncio.create_task(self.one(chat, user)))
        done = await asyncio.gather(*tasks)
        return [latency for latency, _ in done], [text for _, text in done]


@dataclass
class Contender:
    name: str
    world: World
    proc: Any
    load: Load
    result: Result


async def _start(ctx: Context, name: str) -> Contender:
    seed = ctx.seed
    folder = ctx.tmp / f"inbound-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    world = await start_world(seed)
    fake = world.fake
    started = monotonic()
    if name == "bot":
        data = seed.copy_data(folder / "data")
        config = seed.config(
            folder, data_dir=data, telegram_url=fake.base_url,
            delivery={"telegram": NO_LIMITS}, extra={"intake": NO_INTAKE_LIMIT},
        )  # fmt: skip
        proc = await spawn_bot(config, folder / "bot.log")
    else:
        proc = await spawn_echo(fake, folder / "echo.log", mode=ECHO_MODES[name])
    contender = Contender(name, world, proc, Load(world, name), Result(name))
    try:
        await fake.wait_polling(timeout=60)
    except BaseException:
        await _stop(contender)
        raise
    contender.result.startup_s = monotonic() - started
    return contender


async def _stop(contender: Contender) -> None:
    await stop_process(contender.proc)
    await contender.world.fake.stop()


def _check(contender: Contender, texts: list[str]) -> None:
    expected = "✅" if contender.name == "bot" else "/bc"
    contender.result.wrong += [t for t in texts if not t.startswith(expected)]


async def _all(ctx: Context) -> dict[str, Result]:
    contenders: list[Contender] = []
    try:
        for name in NAMES:
            contenders.append(await _start(ctx, name))
        quick = 4 if ctx.quick else 1
        for c in contenders:
            _, _, texts = await c.load.closed_loop(len(c.load.people) * WARMUP_PER_PERSON)
            _check(c, texts)
        # Rounds, each contender in turn (in a rotating order), so that a noisy minute on a
        # shared machine falls on all of them alike.
        for r in range(ROUNDS):
            for c in contenders[r % 3 :] + contenders[: r % 3]:
                cpu = cpu_seconds(c.proc.pid)
                took, latencies, texts = await c.load.closed_loop(THROUGHPUT_N // ROUNDS // quick)
                c.result.rounds.append(len(latencies) / took)
                c.result.cpu_ms.append((cpu_seconds(c.proc.pid) - cpu) * 1000 / len(latencies))
                c.result.burst_latency += latencies
                _check(c, texts)
        for r in range(ROUNDS):
            for c in contenders[r % 3 :] + contenders[: r % 3]:
                latencies, texts = await c.load.paced(LATENCY_N // ROUNDS // quick, LATENCY_RATE)
                c.result.latency += latencies
                _check(c, texts)
        for c in contenders:
            c.result.throughput = statistics.median(c.result.rounds)
            c.result.wrong += [f"unmatched: {t}" for _, t in c.world.replies.unmatched]
            result = c.result
            print(
                f"inbound {c.name}: {result.throughput:.0f} updates/s (rounds "
                f"{', '.join(f'{x:.0f}' for x in result.rounds)}); CPU "
                f"{statistics.median(result.cpu_ms):.2f} ms/update; at {LATENCY_RATE:g}/s p50 "
                f"{p50(result.latency) * 1000:.1f} ms, "
                f"p95 {pct(result.latency, 95) * 1000:.1f} ms",
                flush=True,
            )
    finally:
        for c in contenders:
            await _stop(c)
    return {c.name: c.result for c in contenders}


def _ms(samples: list[float], q: float) -> float:
    return pct(samples, q) * 1000


def run(ctx: Context) -> Outcome:
    results = asyncio.run(_all(ctx))
    bot = results["bot"]
    anchor = max((results["echo"], results["echo-concurrent"]), key=lambda r: r.throughput)
    ratio = bot.throughput / anchor.throughput
    same = results["echo-aiohttp"]
    bot95, anchor95 = _ms(bot.latency, 95), _ms(anchor.latency, 95)
    rows = [
        Row(
            measure="inbound updates/s (50 collaborators, 25 groups, 50 in flight)",
            anchor=f"PTB echo bot ({anchor.name}) {anchor.throughput:.0f}/s",
            ours=f"{bot.throughput:.0f}/s",
            ratio=f"{ratio:.2f}× (≥ {TARGET_RATIO:g}×)",
            verdict=verdict(ratio >= TARGET_RATIO and not bot.wrong),
        ),
        Row(
            measure="inbound updates/s against an echo bot on the same aiohttp transport",
            anchor=f"echo-aiohttp {same.throughput:.0f}/s",
            ours=f"{bot.throughput:.0f}/s",
            ratio=f"{bot.throughput / same.throughput:.2f}×",
            verdict="info",
        ),
        Row(
            measure=f"reply latency at {LATENCY_RATE:g} updates/s (p50 / p95)",
            anchor=f"echo {_ms(anchor.latency, 50):.1f} / {anchor95:.1f} ms",
            ours=f"{_ms(bot.latency, 50):.1f} / {bot95:.1f} ms",
            ratio=f"p95 ≤ {TARGET_P95_MS:g} ms",
            verdict=verdict(bot95 <= TARGET_P95_MS),
        ),
    ]
    lines = [
        "| contender | updates/s | CPU per update | latency with 50 in flight p50 / p95 | at "
        f"{LATENCY_RATE:g}/s p50 / p95 | p99 | wrong replies |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.values():
        lines.append(
            f"| {r.name} | {r.throughput:.0f} | {statistics.median(r.cpu_ms):.2f} ms | "
            f"{_ms(r.burst_latency, 50):.1f} / "
            f"{_ms(r.burst_latency, 95):.1f} ms | {_ms(r.latency, 50):.1f} / "
            f"{_ms(r.latency, 95):.1f} ms | {_ms(r.latency, 99):.1f} ms | {len(r.wrong)} |"
        )
    wrong = "; ".join(bot.wrong[:3])
    details = (
        "Throughput rounds (updates/s): "
        + "; ".join(
            f"{r.name} {', '.join(f'{x:.0f}' for x in r.rounds)}" for r in results.values()
        )
        + f". {WARMUP_PER_PERSON * 50} updates to warm up first. `bot` is `python -m bot run` "
        "on a copy of the 100k seed (INFO logs, as shipped); each reply is the report's echo "
        "(«✅ Đã lưu báo cáo …»), so each update is a report parsed, checked against the "
        "person's recent ones and stored.\n\n"
        + "\n".join(lines)
        + (f"\n\nUnexpected replies of the bot: {wrong}" if wrong else "")
    )
    return Outcome(rows, details, {"results": results})
