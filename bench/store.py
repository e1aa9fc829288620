"""Store benchmark: one report write at 1k/10k/100k stored reports, against TinyDB's default.

Usage: python bench/store.py [--sizes 1000,10000,100000] [--samples 300] [--out FILE]
Prints a markdown table; with --out it also appends the table to FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402

from bot.models import Report  # noqa: E402
from bot.store.codec import encode  # noqa: E402
from bot.store.tinydb import TinyDBStore  # noqa: E402

VILLAGES = [f"xa-{c:02d}.thon-{v:02d}" for c in range(1, 43) for v in range(1, 21)][:830]
PERIODS = [f"2026-{m:02d}" for m in range(1, 13)]
TYPES = "sinh tu kham-thai tiem-chung khhgd di-cu ket-hon ly-hon nct tre-em".split()
FIELDS = "tong nam nu duoi-1 1-5 6-14 15-49 50-59 60-79 80+ moi cu".split()
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_report(n: int) -> Report:
    """The n-th report: areas first, then types, then periods, so every period fills evenly."""
    area = VILLAGES[n % len(VILLAGES)]
    type_ = TYPES[(n // len(VILLAGES)) % len(TYPES)]
    period = PERIODS[(n // (len(VILLAGES) * len(TYPES))) % len(PERIODS)]
    return Report(
        id=f"{type_}:{area}:{period}:{n}",
        type=type_,
        area=area,
        period=period,
        values={name: (n * 7 + i * 13) % 97 for i, name in enumerate(FIELDS)},
        reporter=1 + n % 900,
        platform="zalo" if n % 3 else "telegram",
        received_at=T0 + timedelta(minutes=n),
        source_message=f"zalo:bot:g{n % 50}:{n}",
    )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return statistics.median(ms), p95


def time_writes(store: TinyDBStore, first: int, count: int) -> list[float]:
    samples = []
    for n in range(first, first + count):
        report = make_report(n)
        start = time.perf_counter()
        store.reports.add(report)
        samples.append(time.perf_counter() - start)
    return samples


def bench_store(folder: Path, sizes: list[int], samples: int) -> dict[int, dict[str, float]]:
    """Grow one store to each size (fast, fsync never), then time writes as the bot runs them."""
    results: dict[int, dict[str, float]] = {}
    stored = 0
    for size in sizes:
        seed = TinyDBStore(folder, fsync="never", checkpoint_bytes=256 << 20)
        for n in range(stored, size):
            seed.reports.add(make_report(n))
        seed.close()
        stored = size
        row: dict[str, float] = {}
        for offset, policy in enumerate(("batch", "always")):
            store = TinyDBStore(folder, fsync=policy)  # type: ignore[arg-type]
            # Fresh ids; these few extra reports stay stored, next to the round numbers.
            taken = time_writes(store, (10 + offset) * 10_000_000 + stored, samples)
            row[f"{policy}_p50"], row[f"{policy}_p95"] = percentiles(taken)
            start = time.perf_counter()
            store.checkpoint()
            row[f"{policy}_ckpt"] = (time.perf_counter() - start) * 1000
            store.close()
        results[size] = row
    return results


def bench_tinydb_default(folder: Path, sizes: list[int]) -> dict[int, tuple[float, float, int]]:
    """TinyDB's JSONStorage on the same documents; seeded by writing its JSON file directly."""
    results = {}
    for size in sizes:
        path = folder / f"default-{size}.json"
        docs = {str(n + 1): encode(make_report(n)) for n in range(size)}
        path.write_text(json.dumps({"reports": docs}))
        count = 20 if size <= 1000 else 10 if size <= 10_000 else 5
        with TinyDB(path) as db:
            table = db.table("reports")
            taken = []
            for n in range(count):
                doc = encode(make_report(20_000_000 + n))
                start = time.perf_counter()
                table.insert(doc)
                taken.append(time.perf_counter() - start)
        p50, p95 = percentiles(taken)
        results[size] = (p50, p95, count)
        path.unlink()
    return results


OPEN_PROBE = """
import json, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from bot.store import open_store
store = open_store(__import__("pathlib").Path(sys.argv[1]))
opened = time.perf_counter() - start
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
t = time.perf_counter()
cold = store.reports.in_period("sinh", "2026-01")
cold_t = time.perf_counter() - t
t = time.perf_counter()
warm = store.reports.in_period("sinh", "2026-01")
warm_t = time.perf_counter() - t
rss_after = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
print(json.dumps({
    "open_s": opened, "rss_mb": rss / 1024, "digest_cold_ms": cold_t * 1000,
    "digest_warm_ms": warm_t * 1000, "digest_rows": len(cold),
    "count": store.reports.count(), "rss_after_digest_mb": rss_after / 1024,
}))
store.close()
"""


def probe_open(folder: Path) -> dict[str, float]:
    """Open time (with imports) and memory in a fresh process, then one period digest."""
    out = subprocess.run(
        [sys.executable, "-c", OPEN_PROBE, str(folder), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def render(
    sizes: list[int],
    mine: dict[int, dict[str, float]],
    default: dict[int, tuple[float, float, int]],
    probe: dict[str, float],
    samples: int,
) -> str:
    lines = [
        f"### Store benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]})",
        "",
        f"One report write (`reports.add`), {samples} samples per cell, milliseconds.",
        "",
        "| reports stored | journal+batch p50 | p95 | journal+always p50 | p95 "
        "| checkpoint after the samples | TinyDB default p50 | p95 (n) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        m = mine[size]
        d50, d95, n = default[size]
        lines.append(
            f"| {size:,} | {m['batch_p50']:.3f} | {m['batch_p95']:.3f} | {m['always_p50']:.3f} | "
            f"{m['always_p95']:.3f} | {m['batch_ckpt']:.0f} | {d50:.1f} | {d95:.1f} ({n}) |"
        )
    first, last = sizes[0], sizes[-1]
    growth = mine[last]["batch_p95"] / mine[first]["batch_p95"]
    lines += [
        "",
        f"p95 growth {last:,}/{first:,} (batch): {growth:.2f}x",
        f"Open with {probe['count']:,.0f} reports (fresh process, imports included): "
        f"{probe['open_s'] * 1000:.0f} ms, RSS {probe['rss_mb']:.0f} MB; "
        f"digest of one type and period ({probe['digest_rows']:.0f} reports): cold "
        f"{probe['digest_cold_ms']:.0f} ms, warm {probe['digest_warm_ms']:.0f} ms; "
        f"RSS after {probe['rss_after_digest_mb']:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mine = bench_store(folder / "store", sizes, args.samples)
        probe = probe_open(folder / "store")
        default = bench_tinydb_default(folder, sizes)
    table = render(sizes, mine, default, probe, args.samples)
    print(table)
    if args.out:
        with args.out.open("a", encoding="utf-8") as out:
            out.write(table + "\n")


if __name__ == "__main__":
    main()
