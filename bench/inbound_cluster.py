"""Inbound updates per second in webhook mode: one and two instances on PostgreSQL, beside one
instance on the embedded store.

The load of bench/inbound.py (its `Load`: 50 collaborators registered in the seed type reports,
`/bc sinh 7` with the number changing, in their 25 bound commune groups; every flood limit and
the per-person intake limit off), on the 100k seeds of bench/bigseed.py. Several instances need
webhooks (long polling stays single-instance), so every contender here receives by webhook:
the fake Telegram (bench/webhook_fake.py) POSTs each update to the bot's webhook as Telegram
does, up to 40 calls at once, and with two instances to each in turn (what the load balancer
in front of them does). The bot answers a call once the update is written down (the intake)
and handles it in a task of its own.

- `embedded`: one `python -m bot run` on a copy of the embedded seed.
- `postgres`: one instance, `store.backend: postgres`, on a private copy of the seed's
  database.
- `postgres ×2`: two instances on one database (their own data dirs and ports, one shared
  files folder and link secret): each update is taken in once in the database, and a chat's
  updates are handled one at a time across the instances (a turn held in the database).

Each instance is a child process with DATABASE_URL in its environment; the benchmark's process
holds the fakes and the load. Throughput: each collaborator types their next report as soon as
the previous one is answered (50 in flight), in 8 rounds of 250 after a warm-up, the contenders
taking turns (in a rotating order); the median round counts. Latency: reports typed at a
steady 40 per second, round robin over the collaborators, 8 rounds of 50; from when the fake
queued the update to when it received the reply. CPU per update: the bot processes', the
PostgreSQL server processes' serving them (their connections, from pg_stat_activity) and the
benchmark's own; transactions per update from pg_stat_database; the whole machine's busy cores
from /proc/stat (the machine is shared: other work shows there). Processes and measurements:
bench/cluster_contenders.py; the details and what they say: bench/inbound_cluster_text.py.

Alone: `python bench/run.py --only inbound_cluster`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bigseed import BigSeeds, big_seeds
from cluster_contenders import NAMES, Contender, Result, busy_cores, check, jiffies, start, stop
from common import Context, Outcome, Row, p50, pct
from inbound import LATENCY_N, LATENCY_RATE, ROUNDS, THROUGHPUT_N, WARMUP_PER_PERSON
from inbound_cluster_text import details, ms
from webhook_fake import WebhookTelegram


async def _all(big: BigSeeds, quick: bool) -> dict[str, Result]:
    names = NAMES if not big.pg_reason else NAMES[:1]
    contenders: list[Contender] = []
    try:
        for name in names:
            contenders.append(await start(big, name))
        split = 4 if quick else 1
        for c in contenders:
            _, _, texts = await c.load.closed_loop(len(c.load.people) * WARMUP_PER_PERSON)
            check(c, texts)
        n = len(contenders)
        commits = {c.name: c.commits() for c in contenders}
        for r in range(ROUNDS):
            for c in contenders[r % n :] + contenders[: r % n]:
                bot, db, own, machine = c.bot_cpu(), c.db_cpu(), time.process_time(), jiffies()
                took, latencies, texts = await c.load.closed_loop(THROUGHPUT_N // ROUNDS // split)
                done = len(latencies)
                c.result.rounds.append(done / took)
                c.result.bench_cpu_ms.append((time.process_time() - own) * 1000 / done)
                c.result.busy.append(busy_cores(machine, jiffies()))
                c.result.bot_cpu_ms.append((c.bot_cpu() - bot) * 1000 / done)
                c.result.db_cpu_ms.append((c.db_cpu() - db) * 1000 / done)
                c.result.burst_latency += latencies
                check(c, texts)
        for r in range(ROUNDS):
            for c in contenders[r % n :] + contenders[: r % n]:
                latencies, texts = await c.load.paced(LATENCY_N // ROUNDS // split, LATENCY_RATE)
                c.result.latency += latencies
                check(c, texts)
        await asyncio.sleep(1.5)  # each connection reports its statistics within a second
        for c in contenders:
            res = c.result
            updates = len(res.burst_latency) + len(res.latency)
            res.commits_per_update = (c.commits() - commits[c.name]) / updates
            res.throughput = statistics.median(res.rounds)
            res.wrong += [f"unmatched: {t}" for _, t in c.world.replies.unmatched]
            fake = c.world.fake
            assert isinstance(fake, WebhookTelegram)
            res.calls = dict(fake.calls)
            res.failures = fake.failures
            print(
                f"inbound_cluster {c.name}: {res.throughput:.0f} updates/s (rounds "
                f"{', '.join(f'{x:.0f}' for x in res.rounds)}); CPU bot "
                f"{statistics.median(res.bot_cpu_ms):.2f} + db "
                f"{statistics.median(res.db_cpu_ms):.2f} ms/update; at {LATENCY_RATE:g}/s p50 "
                f"{p50(res.latency) * 1000:.1f} ms, p95 {pct(res.latency, 95) * 1000:.1f} ms",
                flush=True,
            )
    finally:
        for c in contenders:
            await stop(c)
    return {c.name: c.result for c in contenders}


def run(ctx: Context) -> Outcome:
    big = big_seeds(ctx)
    results = asyncio.run(_all(big, ctx.quick))
    emb = results["embedded"]
    one, two = results.get("postgres"), results.get("postgres ×2")
    skipped = big.skipped
    emb_text = f"embedded, one instance {emb.throughput:.0f}/s"
    rows = [
        Row(
            measure="inbound updates/s by webhook, PostgreSQL, one instance (50 in flight)",
            anchor=emb_text,
            ours=f"{one.throughput:.0f}/s" if one else skipped,
            ratio=f"{one.throughput / emb.throughput:.2f}×" if one else "–",
            verdict="info",
        ),
        Row(
            measure="inbound updates/s by webhook, PostgreSQL, two instances (50 in flight)",
            anchor=f"PostgreSQL one instance {one.throughput:.0f}/s" if one else emb_text,
            ours=f"{two.throughput:.0f}/s" if two else skipped,
            ratio=(f"{two.throughput / one.throughput:.2f}× one, "
                   f"{two.throughput / emb.throughput:.2f}× embedded") if one and two else "–",
            verdict="info",
        ),
        Row(
            measure=f"reply latency by webhook at {LATENCY_RATE:g} updates/s, PostgreSQL (p50 / "
            "p95): one; two instances",
            anchor=f"embedded {ms(emb.latency, 50):.1f} / {ms(emb.latency, 95):.1f} ms",
            ours=(f"{ms(one.latency, 50):.1f} / {ms(one.latency, 95):.1f} ms; "
                  f"{ms(two.latency, 50):.1f} / {ms(two.latency, 95):.1f} ms")
            if one and two else skipped,
            ratio="–",
            verdict="info",
        ),
    ]  # fmt: skip
    text = details(results)
    if big.pg_reason:
        text += f"\n\nPostgreSQL not measured: {big.pg_reason}."
    return Outcome(rows, text, {"results": results})


if __name__ == "__main__":  # pragma: no cover - for trying it alone
    with tempfile.TemporaryDirectory(prefix="danso-bench-") as tmp:
        print(run(Context(Path(tmp))).details)
