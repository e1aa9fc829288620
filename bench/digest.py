"""The district digest with 100k stored reports: `Digests.build(area_code, on)`.

The area is the health region (a former district) with the most villages in the seed; the day
is today, so the current month (about 1/12 of the reports) is compared with the previous one.
The store is opened as the CLI opens it (`python -m bot digest`), then the digest is built once
cold (the first after opening: its shards are read from disk) and again warm. Shown for
information: the text, and what `/tonghop` adds (the chart and the spreadsheet).

Alone: `python bench/run.py --only digest`.
"""

from __future__ import annotations

import time

from common import Context, Outcome, Row, p50, pct, verdict

from bot.config.loading import load_config
from bot.core.areas import AreaTree
from bot.core.clock import SystemClock
from bot.core.i18n import Translator
from bot.features.digest.service import Digests
from bot.features.digest.text import DigestText
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes
from bot.store import open_store

TARGET_MS = 200.0


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def run(ctx: Context) -> Outcome:
    seed = ctx.seed
    data_dir = seed.copy_data(ctx.tmp / "digest-data")
    config = load_config(
        seed.config(ctx.tmp / "digest", data_dir=data_dir, telegram_url="http://127.0.0.1:9"),
        environ={},
    )
    started = time.perf_counter()
    store = open_store(data_dir)
    opened = _ms(started)
    try:
        areas = AreaTree.from_config(config.areas)
        types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
        clock = SystemClock()
        tz = config.tzinfo()
        reports = Reports(store=store, areas=areas, types=types, clock=clock, tz=tz)
        text = DigestText(Translator(config.language), tz)
        digests = Digests(
            reports=reports, text=text, settings=config.digest, default_lang=config.language
        )
        region = seed.region["code"]
        today = reports.today()
        start = time.perf_counter()
        data = digests.build(region, today)
        cold = _ms(start)
        warm = []
        for _ in range(5 if ctx.quick else 20):
            start = time.perf_counter()
            digests.build(region, today)
            warm.append(_ms(start))
        start = time.perf_counter()
        rendered = text.render(data, config.language)
        render_ms = _ms(start)
        extras = []
        for _ in range(2):  # the first pays for importing openpyxl and matplotlib
            start = time.perf_counter()
            digests.spreadsheet(data, config.language)
            sheet_ms = _ms(start)
            start = time.perf_counter()
            digests.chart(data, config.language)
            extras.append((sheet_ms, _ms(start)))
        province_start = time.perf_counter()
        digests.build(seed.tree["code"], today)
        province_ms = _ms(province_start)
        part = data.types[0]
        in_period = len(store.reports.in_period(part.type.code, part.period.key))
    finally:
        store.close()
    villages = sum(r.expected + r.uncovered for r in part.units)
    reported = sum(r.reported for r in part.units)
    print(f"digest: cold {cold:.0f} ms, warm p95 {pct(warm, 95):.0f} ms", flush=True)
    rows = [
        Row(
            measure=f"district digest, {seed.reports // 1000}k stored (cold; warm p50 / p95)",
            anchor="–",
            ours=f"{cold:.0f} ms; {p50(warm):.0f} / {pct(warm, 95):.0f} ms",
            ratio=f"≤ {TARGET_MS:.0f} ms",
            verdict=verdict(max(cold, pct(warm, 95)) <= TARGET_MS),
        ),
        Row(
            measure="/tonghop extras: text, spreadsheet, chart",
            anchor="–",
            ours=f"{render_ms:.0f} + {extras[1][0]:.0f} + {extras[1][1]:.0f} ms (first: "
            f"{extras[0][0]:.0f} + {extras[0][1]:.0f})",
            ratio="–",
            verdict="info",
        ),
    ]
    details = (
        f"Area {region} ({seed.region['name']}): {len(part.units)} communes, {villages} "
        f"villages, {reported} of them reported this period; report type "
        f"`{part.type.code}` (the shipped digest's), period {part.period.key} "
        f"({in_period:,} reports of that type in the province). Store opened in {opened:.0f} ms "
        f"(not counted). The whole province's digest: {province_ms:.0f} ms (warm). The text is "
        f"{len(rendered):,} characters."
    )
    return Outcome(rows, details, {"cold": cold, "warm": warm})
