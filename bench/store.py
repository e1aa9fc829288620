"""Storing one report with 1k, 10k and 100k reports already stored, against TinyDB's default.

Ours: `store.reports.add(report)` on the bot's store as the bot opens it (`open_store`, fsync
"batch", the default; "always" shown too), timed one call at a time, the next reports of the same
generated year. The 1k and 10k stores are written through the store API here; the 100k one is a
copy of the run's shared seed (the same generator, so the same first 100k reports).
Anchor: TinyDB's default JSONStorage holding the same documents (`Table.insert`).

Alone: `python bench/run.py --only store`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from common import Context, Outcome, ReportMaker, Row, p50, pct, verdict, write_reports
from tinydb import TinyDB

from bot.store import open_store
from bot.store.engine.codec import encode

SIZES = (1_000, 10_000, 100_000)
TARGET_P95_MS = 5.0
TARGET_GROWTH = 2.0


def _store_of(ctx: Context, size: int) -> Path:
    """A data directory holding reports 0..size-1 of the shared generator."""
    if size == ctx.reports:
        return ctx.seed.copy_data(ctx.tmp / f"store-{size}")
    folder = ctx.tmp / f"store-{size}"
    store = open_store(folder, fsync="never", checkpoint_bytes=256 << 20)
    try:
        write_reports(store, ctx.seed.maker(), 0, size)
    finally:
        store.close()
    return folder


def _time_adds(
    folder: Path, make: ReportMaker, first: int, count: int, policy: str
) -> list[float]:
    store = open_store(folder, fsync=policy)  # type: ignore[arg-type]
    try:
        taken = []
        for n in range(first, first + count):
            report = make(n)
            start = time.perf_counter()
            store.reports.add(report)
            taken.append((time.perf_counter() - start) * 1000)
    finally:
        store.close()
    return taken


def _tinydb_default(folder: Path, make: ReportMaker, size: int, count: int) -> list[float]:
    """TinyDB(path) with its JSONStorage, the same documents; seeded by writing its file."""
    path = folder / f"tinydb-default-{size}.json"
    docs = {str(n + 1): encode(make(n)) for n in range(size)}
    path.write_text(json.dumps({"reports": docs}))
    taken = []
    with TinyDB(path) as db:
        table = db.table("reports")
        for n in range(size, size + count):
            doc = encode(make(n))
            start = time.perf_counter()
            table.insert(doc)
            taken.append((time.perf_counter() - start) * 1000)
    path.unlink()
    return taken


def run(ctx: Context) -> Outcome:
    make = ctx.seed.maker()
    samples = 200 if ctx.quick else 1000
    ours: dict[int, dict[str, list[float]]] = {}
    anchor: dict[int, list[float]] = {}
    for size in SIZES:
        folder = _store_of(ctx, size)
        ours[size] = {
            "batch": _time_adds(folder, make, size, samples, "batch"),
            "always": _time_adds(folder, make, size + samples, samples // 4, "always"),
        }
        count = 20 if size <= 1_000 else 10 if size <= 10_000 else 5
        anchor[size] = _tinydb_default(ctx.tmp, make, size, count)
        print(
            f"store {size:,}: p95 {pct(ours[size]['batch'], 95):.3f} ms; TinyDB default "
            f"p95 {pct(anchor[size], 95):.0f} ms",
            flush=True,
        )
    rows = []
    for size in SIZES:
        mine, theirs = ours[size]["batch"], anchor[size]
        m95, t95 = pct(mine, 95), pct(theirs, 95)
        last = size == SIZES[-1]
        rows.append(Row(
            measure=f"store one report, {size:,} stored (p50 / p95)",
            anchor=f"TinyDB default {p50(theirs):.1f} / {t95:.1f} ms (n={len(theirs)})",
            ours=f"{p50(mine):.3f} / {m95:.3f} ms (n={len(mine)})",
            ratio=(f"{t95 / m95:,.0f}× faster; p95 ≤ {TARGET_P95_MS:g} ms" if last
                   else f"{t95 / m95:,.0f}× faster"),
            verdict=verdict(m95 <= TARGET_P95_MS) if last else "info",
        ))  # fmt: skip
    first, last = SIZES[0], SIZES[-1]
    growth = pct(ours[last]["batch"], 95) / pct(ours[first]["batch"], 95)
    their_growth = pct(anchor[last], 95) / pct(anchor[first], 95)
    rows.append(Row(
        measure=f"store p95 growth {last // 1000}k / {first // 1000}k",
        anchor=f"TinyDB default {their_growth:,.0f}×",
        ours=f"{growth:.2f}×",
        ratio=f"≤ {TARGET_GROWTH:g}×",
        verdict=verdict(growth <= TARGET_GROWTH),
    ))  # fmt: skip
    lines = [
        "| reports stored | batch p50 | batch p95 | always p50 | always p95 | TinyDB default "
        "p50 | p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        b, a, t = ours[size]["batch"], ours[size]["always"], anchor[size]
        lines.append(
            f"| {size:,} | {p50(b):.3f} | {pct(b, 95):.3f} | {p50(a):.3f} | {pct(a, 95):.3f} "
            f"| {p50(t):.1f} | {pct(t, 95):.1f} |"
        )
    details = (
        "One `reports.add` at a time, milliseconds; fsync `batch` is the bot's default (a commit "
        "is one journal line, fsync'd every ~50 ms), `always` fsyncs each commit.\n\n"
        + "\n".join(lines)
    )
    return Outcome(rows, details, {"ours": ours, "anchor": anchor})
