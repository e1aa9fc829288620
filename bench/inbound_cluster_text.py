"""What bench/inbound_cluster.py writes: its table of contenders and, from the run's own
numbers, what they say (why PostgreSQL costs what it costs, what a second instance buys)."""

from __future__ import annotations

import statistics

from cluster_contenders import NAMES, Result
from common import pct
from inbound import LATENCY_RATE, WARMUP_PER_PERSON


def ms(samples: list[float], q: float) -> float:
    return pct(samples, q) * 1000


def _cpu(r: Result) -> tuple[float, float]:
    return statistics.median(r.bot_cpu_ms), statistics.median(r.db_cpu_ms)


def details(results: dict[str, Result]) -> str:
    lines = [
        "| contender | updates/s | CPU per update: bot + PostgreSQL (+ the benchmark's "
        "process) | transactions per update "
        f"| latency with 50 in flight p50 / p95 | at {LATENCY_RATE:g}/s p50 / p95 | p99 | "
        "start-up | wrong replies |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.values():
        bot, db = _cpu(r)
        bench = statistics.median(r.bench_cpu_ms)
        commits = f"{r.commits_per_update:.1f}" if r.name != "embedded" else "–"
        lines.append(
            f"| {r.name} | {r.throughput:.0f} | {bot:.2f} + {db:.2f} (+ {bench:.2f}) ms | "
            f"{commits} | "
            f"{ms(r.burst_latency, 50):.1f} / {ms(r.burst_latency, 95):.1f} ms | "
            f"{ms(r.latency, 50):.1f} / {ms(r.latency, 95):.1f} ms | "
            f"{ms(r.latency, 99):.1f} ms | {r.startup_s:.1f} s | {len(r.wrong)} |"
        )
    rounds = "; ".join(
        f"{r.name} {', '.join(f'{x:.0f}' for x in r.rounds)}" for r in results.values()
    )
    split = ""
    if "postgres ×2" in results:
        calls = sorted(results["postgres ×2"].calls.values())
        split = f" Webhook calls to the two instances: {' and '.join(map(str, calls))}."
    failures = sum(r.failures for r in results.values())
    wrong = "; ".join(w for r in results.values() for w in r.wrong[:2])
    text = (
        f"Throughput rounds (updates/s): {rounds}. {WARMUP_PER_PERSON * 50} updates to warm "
        "up first. Every contender by webhook, up to 40 calls at once (Telegram's default); "
        "with two instances the fake sends each call to the next one, as the load balancer "
        "in front of them does in production (here without a hop of its own). Webhook calls "
        f"not answered 2xx: {failures}.{split} Start-up: from the "
        "first process started to the last one's «bot started». Transactions per update: "
        "committed in the database (pg_stat_database) over the rounds; a statement outside "
        "a transaction block is one, a block (a report stored) is one.\n\n"
        + "\n".join(lines)
        + (f"\n\nUnexpected replies: {wrong}" if wrong else "")
    )
    return text + _why(results)


# Looked at once, by hand (not measured by each run): the PostgreSQL instance under cProfile.
PROFILED = (
    "\n\nLooked at with cProfile (2026-12-07; one PostgreSQL instance, 1,100 updates of this "
    "load; profiled, so slower): per update, 23 statements and 6 transaction blocks (12 "
    "commands: BEGIN or SAVEPOINT, COMMIT or RELEASE) on the store's connection and 2 "
    "statements on the cluster's (the chat's turn), ~7 ms of wall time inside them. The "
    "most: `reports.latest_by_reporter`, twice per "
    "report (bot/features/reports/service.py: the person's 20 newest reports, to find one "
    "stored from this message; then the 5 newest, to find a repeat), so 25 reports fetched "
    "and decoded from jsonb per update (~1.3 ms); `inbound.seen` three times, "
    "`people.by_account` twice, `groups.get` twice, and the 5 statements of `reports.add`. "
    "Where the embedded store reads memory, each of these is a round trip: asking PostgreSQL "
    "for the one report of a source message, and for a repeat, in SQL, and fewer intake "
    "checks, would cut the most."
)


def _cores(r: Result) -> float:
    """Cores kept busy by the bot(s), the server and this process, at the median round."""
    bench = statistics.median(r.bench_cpu_ms)
    bot, db = _cpu(r)
    return r.throughput * (bench + bot + db) / 1000


def _why(results: dict[str, Result]) -> str:
    """What the figures say, from this run's numbers."""
    emb, one, two = (results.get(n) for n in NAMES)
    if emb is None or one is None or two is None:
        return ""
    (eb, _), (ob, od), (tb, td) = _cpu(emb), _cpu(one), _cpu(two)
    gain = two.throughput / one.throughput
    capacity = "adds no capacity" if gain < 1.1 else f"adds {100 * (gain - 1):.0f} % of capacity"
    t95, o95 = ms(two.latency, 95), ms(one.latency, 95)
    tail = (
        f"and a shorter wait at a steady {LATENCY_RATE:g}/s (p95 {t95:.0f} ms against "
        f"{o95:.0f} ms with one)"
        if t95 < 0.8 * o95
        else f"and no shorter wait at a steady {LATENCY_RATE:g}/s (p95 {t95:.0f} ms against "
        f"{o95:.0f} ms with one)"
    )
    one_cores, two_cores = _cores(one), _cores(two)
    bound = (
        "the instance's one event loop waits for each round trip in turn, so it is the wait, "
        "not the cores, that bounds one instance"
        if statistics.median(one.busy) < 1.7
        else "the cores, more than the waits, bound it"
    )
    fills = (
        "the second event loop fills the first one's waits"
        if gain >= 1.1
        else "the cores were already full, or the turns cost what a second loop gains"
    )
    cost = (
        "about the same CPU per update"
        if (tb + td) < 1.1 * (ob + od)
        else f"{(tb + td) / (ob + od):.2f}× the CPU per update"
    )
    return (
        "\n\nWhy: on PostgreSQL every store call is a statement sent and answered before the "
        "bot goes on, and the store's calls are synchronous in the bot's one event loop, so "
        "while a statement travels the instance handles nothing else. An update took "
        f"{one.commits_per_update:.0f} transactions (a report stored is one of them, its "
        "round trips counted in `store_pg`), costing the bot "
        f"{ob:.2f} ms of CPU (psycopg, and decoding the records each query returns, where the "
        f"embedded store reads its memory: {eb:.2f} ms) and the server {od:.2f} ms. On this "
        "2-core machine the bot, the server and the benchmark's own process (the fake "
        "Telegram and the 50 typists) share both cores; with one instance they kept "
        f"{one_cores:.1f} of the 2 busy (the whole machine: "
        f"{statistics.median(one.busy):.1f}, other work included): {bound}. Two instances "
        "on one database: "
        f"{gain:.2f}× the updates/s of one, with {cost} (bot {tb:.2f} + server {td:.2f} ms "
        f"against {ob:.2f} + {od:.2f}), {two_cores:.1f} cores busy (the machine: "
        f"{statistics.median(two.busy):.1f}): {fills}. What two cost: "
        "an instance "
        "on PostgreSQL, even alone, takes and gives the chat's turn in the database for every "
        "update and looks up the events waiting ahead of it; two add the waits when both hold "
        "events of one chat (the turn is asked for again from 20 ms up to every 250 ms, with "
        "a look whether the other handled the event meanwhile), and a second heartbeat. So on "
        f"2 cores a second instance {capacity}, until the cores are full, {tail}; and it "
        "keeps answering when the other dies (the cluster tests show that). With cores (or "
        "machines) of their own, instances add capacity until the "
        "database server, whose CPU per update is the shared part, is the limit." + PROFILED
    )
