"""Run the benchmarks, print one markdown table and write bench/RESULTS.md.

    python bench/run.py                    everything (a few minutes)
    python bench/run.py --only digest      one measure (or several: --only store,digest)
    python bench/run.py --quick            fewer samples, to try the benchmarks out

Measures: inbound, broadcast, store, digest, startup (start-up time and memory), rumours (the
rumour watch on a labelled set, before and after, and its cost per message); on PostgreSQL
(issue #19; BENCH_PG_URL, default the local server): store_pg and digest_pg (100k and 1M
reports, beside the embedded store), inbound_cluster (by webhook, one and two instances).
Every figure with an anchor is measured against it in the same run. Benchmarks report, they
never fail: the exit code is 0 whatever the verdicts (non-zero only if a benchmark itself
broke).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from common import Context, Outcome, Row, machine  # noqa: E402

ORDER = (
    "inbound", "broadcast", "store", "digest", "startup", "rumours", "store_pg", "digest_pg",
    "inbound_cluster",
)  # fmt: skip
RESULTS = BENCH / "RESULTS.md"

# Fixes made because of these benchmarks, with the figures before and after (the run rewrites
# the rest of RESULTS.md; this part is history).
FIXES = """\
**Storing a report on PostgreSQL: the number counter's floor read only when the counter is
missing** (`bot/store/postgres/core.py`, found by `store_pg`). Before: one `reports.add` took
p50 / p95 21.6 / 36.9 ms with 100k reports stored and 255.8 / 368.6 ms with 1M (the server's
CPU per add 16.4 and 164.8 ms: growing with the table), against the embedded store's 0.03 ms.
EXPLAIN ANALYZE of the counter's upsert: the floor where a missing counter starts (`SELECT
coalesce(max(number), 0) + 1 FROM reports`) sat in the VALUES of `INSERT … ON CONFLICT DO
UPDATE`, so PostgreSQL computed it on every call, before any conflict, and `max(number)` over
every version cannot use the partial index on the latest ones: a sequential scan of the whole
table (52 ms at 100k on the busy machine). Now a counter is moved by `UPDATE … RETURNING`, and
the upsert with its floor runs only when the counter row is missing. After: 0.89 / 3.94 ms at
100k and 1.54 / 2.90 ms at 1M (0.45 ms of server CPU per add), within the store's target (p95
≤ 5 ms), and no longer growing with the table.

**Inbound updates/s: PTB's requests over aiohttp, and "my last reports" kept sorted**
(`bot/platforms/telegram/http.py`, `bot/platforms/telegram/adapter.py`,
`bot/store/report_index.py`,
`bot/store/repos.py`). Before: 0.48× in the last full run (bot 135/s against the echo bot's
282/s; 7.46 ms of CPU per update), 0.64× on a quieter machine (221 against 346/s; 4.44 ms).
py-spy on the bot under the load: ~45 % of its CPU in PTB's httpx transport (httpcore walks
every pooled connection, with a poll() system call for each idle one, twice per request, and 25
groups answered at once keep ~25 connections) and ~25 % in `latest_by_reporter`, which each
report calls twice (is this message already stored? does it repeat a recent one?) and which
sorted the reporter's whole history (~130 reports in the seed) every time. Now PTB sends
through `AiohttpRequest`, a PTB `BaseRequest` over aiohttp (already the web server's library:
idle connections wait in a queue, HTTP is parsed in C; same form or multipart bodies as PTB's
own, timeouts raise TimedOut and other transport errors NetworkError, never with the token),
and the report index keeps each reporter's reports sorted newest first once someone asked (kept
right by every add, correction and removal), so the query costs O(limit). After, in two full
runs and three `--only inbound` runs: 1.48–1.67× (bot 446–637/s against 300–405/s; 1.56–2.16 ms
of CPU per update against the echo bot's 2.36–3.12 ms), p95 at 40/s 5.6–5.8 ms; the broadcast
unchanged (1.013–1.015×, 0 lost, 0 breaches, no 429). The bot now beats the anchor because the
anchor is PTB as shipped (httpx); the sequential echo bot sends one request at a time, so its
pool holds one connection. Looked at and left: the inbox write per update (one journal line, ~2
% of CPU), INFO logging per update (not in the profile's top), the polling loop (1 % for
getUpdates' parsing).

**Start-up to first reply: index files as columns, no garbage collection while starting**
(`bot/store/shards.py`, `bot/store/report_index.py`, `bot/__main__.py`). Before: 2.36 s in the
last full run (1.88–2.03 s on a quieter machine); run alternately with the new code on the same
busy machine, the bot's CPU time to its first reply was 1.75–2.49 s against 1.23–1.53 s. The
profile: ~0.9 s importing, 0.40 s of CPU loading the report index (100k `[id, version, period,
type, area, reporter, received]` lists parsed, then turned into rows one at a time, each report
in a list of its own), and the cyclic garbage collector walking the growing heap again and
again. Now a shard's index file holds columns (period and type once per shard), a shard loads
in bulk (C-level dict and set updates; a report with one version is held as its bare row), a
reporter's recency list is built when first asked, and `python -m bot run` keeps the collector
off until the bot is up, then freezes what start-up made (~250k objects later collections
skip). Index files in the older layout still load, and their shard's next checkpoint rewrites
them. Index load: 0.40 → 0.18 s of CPU; resident memory 169 → 146 MB. After: 1.28 s (runs
1.19–1.31 s, CPU 1.18–1.30 s) on the last commit with these changes alone, 1.24–1.62 s (runs
1.23–1.82 s) on the working tree with other unfinished work in it. What is left is mostly
imports (~0.8 s of CPU): nothing heavy is left to defer (matplotlib and openpyxl already load
on first use); it is the bot's ~150 modules (many dataclasses), aiohttp, PTB with httpx, and
pydantic. In this venv httpx also imports rich, click and pygments (~45 ms) because the dev
tools brought them in; an install without the test extras does not have them.

**Directive broadcast: limits counted in sliding windows** (`bot/delivery/send_limits.py`,
`bot/delivery/sender.py`, `bot/delivery/outbox.py`). Before: 1,000 groups took 75.2 s
against a floor of 68.0 s (1.106×; 0 lost, 0 breaches). The fake's log showed the bot at
27–28 calls a second, never 30: the limiter spaced calls one every 1/(30 × 0.95) s with a
bucket of one, so 5 % went to the safety share and ~5 % more to timers firing late (each
late wake-up was lost for good); and a group's pin waited 3.2 s after its copy (20 a minute
as one every 3.2 s), so the last 3 s of the broadcast ran half empty. Now each limit is a
sliding window as Telegram counts it (30 in any second, 20 in any minute per group, 1 a
second per chat), a call is dated again when its answer comes (it reached Telegram by then,
whatever stalled in between), and each window is counted 10 ms (the total) or 100 ms (a
chat) longer. The outbox also keeps a chat's order when the chat becomes ready while it
waits for a slot (a window makes that happen; spacing hid it). After: 1.011× on 300 groups
during development, and the figure in the table above for 1,000. Tests: `test_limits.py`
states the new promise (no window ever holds more than its limit); `test_delivery_zalo`
waited for six API calls where the bot, knowing Zalo's quota spent, rightly makes fewer.
Under three copies of the delivery tests at once the new limiter drew no 429 of its own.

**Tried and left out: a cap on Bot API calls in flight** (the inbound miss, before the aiohttp
transport above made it moot). With PTB's default pool of 256 connections and every limit off,
25 groups answered at once open ~25 connections, and httpcore checks every pooled connection's
socket on every request: CPU per update fell from 6.4 to 4.0–4.8 ms with a cap of 4–8 calls in
flight. But a cap queues calls after the limiter has let them go, so they reach Telegram later
than counted: the directive test then drew extra 429s. With the limits on (production), calls
in flight are bounded by 30 a second × the round trip anyway.
"""


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | anchor (same run) | ours | ratio / target | verdict |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.measure} | {r.anchor} | {r.ours} | {r.ratio} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def run(names: list[str], *, quick: bool) -> tuple[list[Row], dict[str, Outcome], list[str]]:
    rows: list[Row] = []
    outcomes: dict[str, Outcome] = {}
    broken: list[str] = []
    with tempfile.TemporaryDirectory(prefix="danso-bench-") as tmp:
        ctx = Context(Path(tmp), quick=quick)
        for name in names:
            print(f"== {name}", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                module = importlib.import_module(name)
                outcome: Outcome = module.run(ctx)
            except Exception:
                traceback.print_exc()
                broken.append(name)
                rows.append(Row(name, "–", "the benchmark failed (see its output)", "–", "error"))
                continue
            took = time.perf_counter() - started
            print(f"== {name} took {took:.0f} s", file=sys.stderr, flush=True)
            outcome.raw["seconds"] = took
            outcomes[name] = outcome
            rows += outcome.rows
        if ctx._seed is not None:
            seed = ctx._seed
            outcomes["_seed"] = Outcome(
                [],
                f"Seed: {seed.reports:,} reports, {len(seed.villages)} villages, "
                f"{seed.size_mb:.0f} MB on disk, written through the store API in "
                f"{seed.seconds:.1f} s.",
            )
    return rows, outcomes, broken


def results_md(rows: list[Row], outcomes: dict[str, Outcome], took: float) -> str:
    m = machine()
    parts = [
        "# Benchmarks",
        "",
        f"Run {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench` "
        f"(`.venv/bin/python bench/run.py`) in {took / 60:.1f} min.",
        "",
        f"Machine: `{m['arch']}`, {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}, "
        f"Python {m['python']}.",
        "",
        table(rows),
        "",
    ]
    if "_seed" in outcomes:
        parts += [outcomes["_seed"].details, ""]
    for name in ORDER:
        if name in outcomes and outcomes[name].details:
            parts += [f"## {name}", "", outcomes[name].details, ""]
    parts += ["## Fixes made for these targets", "", FIXES]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(ORDER)}")
    parser.add_argument("--quick", action="store_true", help="fewer samples (not for figures)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write the results (default: "
        "bench/RESULTS.md for a full run, nowhere for --only or --quick)",
    )  # fmt: skip
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(ORDER)
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(ORDER)}")
    started = time.perf_counter()
    rows, outcomes, broken = run(names, quick=args.quick)
    took = time.perf_counter() - started
    print()
    print(table(rows))
    out = args.out or (RESULTS if not args.only and not args.quick else None)
    if out is not None:
        out.write_text(results_md(rows, outcomes, took), encoding="utf-8")
        print(f"\nwritten to {out}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
