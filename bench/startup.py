"""Start-up to the first reply, and resident memory, with 100k stored reports.

`python -m bot run` starts as a child process on a copy of the seeded data directory (the
province tree, ~790 people, 100k reports), polling the fake Telegram with the shipped settings.
A collaborator's `/bc sinh 2` is typed into their group as the process is spawned; the time is
from the spawn to the moment the fake receives the bot's reply (interpreter start, imports,
config, store open, getMe, menus, first poll, the report written and echoed). Three runs, each
on a fresh copy; the median counts. Memory: VmRSS of the bot process right after that reply
and 2 s later (the larger counts); for information, also after a `/tonghop` of the whole
province (text, chart, spreadsheet).

Alone: `python bench/run.py --only startup`.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

from common import Context, Outcome, Row, cpu_seconds, rss_mb, stop_process, verdict
from fakeworld import spawn_bot, start_world, until

from tests.fakes.loopback import monotonic

TARGET_S = 2.0
TARGET_MB = 200.0
RUNS = 3


async def _once(ctx: Context, i: int, *, digest: bool) -> dict[str, Any]:
    seed = ctx.seed
    folder = ctx.tmp / f"startup-{i}"
    data = seed.copy_data(folder / "data")
    world = await start_world(seed)
    fake = world.fake
    config = seed.config(folder, data_dir=data, telegram_url=fake.base_url)
    chat, (user, _) = world.groups[0]
    proc = None
    out: dict[str, Any] = {}
    try:
        spawned = monotonic()
        proc = await spawn_bot(config, folder / "bot.log")
        message = fake.type_as(user, chat, "/bc sinh 2")
        at, text = await asyncio.wait_for(world.replies.expect(chat, message["message_id"]), 60)
        out["first_reply_s"] = at - spawned
        out["cpu_reply"] = cpu_seconds(proc.pid)  # the process's CPU time: robust to a busy box
        out["rss_reply"] = rss_mb(proc.pid)
        out["reply"] = text.splitlines()[0]
        await asyncio.sleep(2)
        out["rss_settled"] = rss_mb(proc.pid)
        if digest:
            me = fake.private(world.supervisor)
            asked = monotonic()
            fake.type_as(world.supervisor, me, "/tonghop")

            def answered() -> bool:
                return any(
                    e.method == "sendDocument" and str(e.params.get("chat_id")) == str(me.id)
                    for e in fake.log.entries
                )

            await until(answered, 60, "the /tonghop spreadsheet")
            out["tonghop_s"] = monotonic() - asked
            await asyncio.sleep(1)
            out["rss_tonghop"] = rss_mb(proc.pid)
    finally:
        if proc is not None:
            await stop_process(proc)
        await fake.stop()
    return out


async def _all(ctx: Context) -> list[dict[str, Any]]:
    runs = []
    for i in range(1 if ctx.quick else RUNS):
        runs.append(await _once(ctx, i, digest=i == 0))
        print(
            f"startup {i + 1}: first reply after {runs[-1]['first_reply_s']:.2f} s (CPU "
            f"{runs[-1]['cpu_reply']:.2f} s), RSS {runs[-1]['rss_settled']:.0f} MB",
            flush=True,
        )
    return runs


def run(ctx: Context) -> Outcome:
    runs = asyncio.run(_all(ctx))
    times = [r["first_reply_s"] for r in runs]
    median = statistics.median(times)
    rss = max(max(r["rss_reply"], r["rss_settled"]) for r in runs)
    first = runs[0]
    rows = [
        Row(
            measure=f"start-up to first reply, {ctx.seed.reports // 1000}k stored",
            anchor="–",
            ours=f"{median:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})",
            ratio=f"≤ {TARGET_S:g} s",
            verdict=verdict(median <= TARGET_S),
        ),
        Row(
            measure=f"resident memory, {ctx.seed.reports // 1000}k stored",
            anchor="–",
            ours=f"{rss:.0f} MB (VmRSS after the first reply)",
            ratio=f"≤ {TARGET_MB:.0f} MB",
            verdict=verdict(rss <= TARGET_MB),
        ),
        Row(
            measure="resident memory after a province /tonghop",
            anchor="–",
            ours=f"{first['rss_tonghop']:.0f} MB (the reply took {first['tonghop_s']:.2f} s)",
            ratio="–",
            verdict="info",
        ),
    ]
    details = (
        f"First reply: «{first['reply']}». CPU time of the bot process until then per run: "
        + ", ".join(f"{r['cpu_reply']:.2f} s" for r in runs)
        + ". VmRSS right after it / 2 s later per run: "
        + ", ".join(f"{r['rss_reply']:.0f} / {r['rss_settled']:.0f} MB" for r in runs)
        + "."
    )
    return Outcome(rows, details, {"runs": runs})
