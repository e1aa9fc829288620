"""Run the benchmarks, print one markdown table and write bench/RESULTS.md.

    python bench/run.py                    everything (a few minutes)
    python bench/run.py --only digest      one measure (or several: --only store,digest)
    python bench/run.py --quick            fewer samples, to try the benchmarks out

Measures: inbound, broadcast, store, digest, startup (start-up time and memory). Every figure
with an anchor is measured against it in the same run. Benchmarks report, they never fail:
the exit code is 0 whatever the verdicts (non-zero only if a benchmark itself broke).
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

ORDER = ("inbound", "broadcast", "store", "digest", "startup")
RESULTS = BENCH / "RESULTS.md"

# Fixes made because of these benchmarks, with the figures before and after (the run rewrites
# the rest of RESULTS.md; this part is history).
FIXES = """\
**Directive broadcast: limits counted in sliding windows** (`bot/services/limits.py`,
`bot/services/delivery.py`, `bot/services/outbox.py`). Before: 1,000 groups took 75.2 s
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

**Tried and left out: a cap on Bot API calls in flight** (the inbound miss). With PTB's
default pool of 256 connections and every limit off, 25 groups answered at once open ~25
connections, and httpcore checks every pooled connection's socket on every request: CPU per
update fell from 6.4 to 4.0–4.8 ms with a cap of 4–8 calls in flight. But a cap queues
calls after the limiter has let them go, so they reach Telegram later than counted: the
directive test then drew extra 429s. With the limits on (production), calls in flight are
bounded by 30 a second × the round trip anyway.
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
