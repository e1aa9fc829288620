"""The seeds of the PostgreSQL measures: 100k and 1M reports, in PostgreSQL and in the embedded
store, from the same generator and ending at the same moment, so both backends hold the same
records at each size.

The run's shared seed (common.Context.seed) ends at the moment the run started, so nothing of
it can be kept; these seeds end at a moment of their own (`now`, whole seconds), kept across
runs: the first run of a day makes them, later runs of the same local day reuse them.

- Embedded: `common.make_seed` (people, groups and reports through the store API, as the run's
  shared seed is made), kept under $XDG_CACHE_HOME/danso-bench (default ~/.cache, mode 0700);
  a measure works on a copy. The 100k one takes ~10 s to make, the 1M one about two minutes
  and 1 GB of memory.
- PostgreSQL: the embedded seed moved in by `python -m bot store copy --to postgres`, kept as
  a template database (bench/pgseed.py); a measure works on a clone. ~1 minute for 1M.

Everything made on another day, by another generator or schema, is removed when a new family
is made. Delete the folder and the `bench_seed_*` databases to start afresh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pgseed
from common import (
    TZ,
    Context,
    ReportMaker,
    Seed,
    biggest_region,
    make_seed,
    province_tree,
    seed_groups,
    villages_of,
)

from bot.store.base import SCHEMA_VERSION

SIZES = (100_000, 1_000_000)


def label(reports: int) -> str:
    """100k, 1M: a seed's size as the table names it."""
    return f"{reports // 10**6:,}M" if reports % 10**6 == 0 else f"{reports // 1000:,}k"


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "danso-bench"


def _embedded_key() -> str:
    return f"{pgseed.generator_fingerprint()}_s{SCHEMA_VERSION}"


def _today(moment: datetime) -> bool:
    return moment.astimezone(TZ).date() == datetime.now(TZ).date()


@dataclass
class BigSeeds:
    """The run's view of the kept seeds; made on first use (`pg`, `embedded`)."""

    ctx: Context
    pg_reason: str | None = None  # why PostgreSQL is not measured (None: it is)
    now: datetime = field(init=False)
    made: list[str] = field(default_factory=list)  # the seeds this run had to make
    _pg: dict[int, pgseed.PgSeed] = field(default_factory=dict)
    _embedded: dict[int, Seed] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pg_reason = pgseed.unavailable()
        self.tree = province_tree()
        self.villages = villages_of(self.tree)
        stamps = [s for s in self._stamps() if _today(s)]
        self.now = max(stamps) if stamps else datetime.now(UTC).replace(microsecond=0)
        self._tidy()

    def _stamps(self) -> list[datetime]:
        found = [] if self.pg_reason else pgseed.seed_stamps()
        pattern = re.compile(rf"seed_\d+_(\d{{8}}T\d{{6}})_{_embedded_key()}$")
        root = cache_root()
        if root.is_dir():
            for folder in root.iterdir():
                match = pattern.match(folder.name)
                if match and (folder / "seed.json").exists():
                    found.append(
                        datetime.strptime(match.group(1), pgseed.STAMP).replace(tzinfo=UTC)
                    )
        return found

    def _tidy(self) -> None:
        """Remove kept seeds of another family (another day, generator or schema)."""
        stamp = f"{self.now:{pgseed.STAMP}}"
        if not self.pg_reason:
            pgseed.tidy(keep={pgseed.seed_name(size, self.now) for size in SIZES})
        root = cache_root()
        if root.is_dir():
            for folder in root.iterdir():
                if folder.name.startswith("seed_") and not folder.name.endswith(
                    f"_{stamp}_{_embedded_key()}"
                ):
                    shutil.rmtree(folder, ignore_errors=True)

    @property
    def skipped(self) -> str:
        """What a table row says when PostgreSQL is not measured (the details say why)."""
        return f"not measured: no PostgreSQL at {pgseed.where()}"

    def maker(self) -> ReportMaker:
        reporters = {v: i + 2 for i, v in enumerate(self.villages)}
        return ReportMaker(self.villages, self.now, reporters)

    def seed_view(self, reports: int) -> Seed:
        """The common Seed of these (for configs, groups, the region); no data directory."""
        return Seed(
            self.ctx.tmp, self.ctx.tmp / "none", self.tree, self.villages,
            seed_groups(self.tree, self.villages), biggest_region(self.tree), self.now, reports,
            0.0, 0.0,
        )  # fmt: skip

    def pg(self, reports: int) -> pgseed.PgSeed:
        if self.pg_reason:
            raise RuntimeError(self.pg_reason)
        if reports not in self._pg:
            say(f"PostgreSQL seed of {reports:,} reports…")
            source = self.embedded(reports)
            seed = pgseed.pg_seed(reports, now=self.now, source=source, tmp=self.ctx.tmp)
            if not seed.reused:
                self.made.append(f"PostgreSQL {reports:,}")
            say(f"… {'kept from an earlier run' if seed.reused else 'made'}: {seed.name}")
            self._pg[reports] = seed
        return self._pg[reports]

    def embedded(self, reports: int) -> Seed:
        """The embedded seed (its data_dir is the kept one: copy it before writing)."""
        if reports not in self._embedded:
            folder = cache_root() / f"seed_{reports}_{self.now:{pgseed.STAMP}}_{_embedded_key()}"
            info = folder / "seed.json"
            if info.exists():
                kept = json.loads(info.read_text("utf-8"))
                seed = self.seed_view(reports)
                seed.root, seed.data_dir = folder, folder / "seed"
                seed.seconds, seed.size_mb = kept["seconds"], kept["size_mb"]
                say(f"embedded seed of {reports:,} reports kept from an earlier run")
            else:
                say(f"embedded seed of {reports:,} reports, through the store API…")
                shutil.rmtree(folder, ignore_errors=True)
                cache_root().mkdir(parents=True, exist_ok=True, mode=0o700)
                folder.mkdir(mode=0o700)
                seed = make_seed(folder, reports=reports, now=self.now)
                made = {"seconds": round(seed.seconds, 1), "size_mb": round(seed.size_mb, 1)}
                info.write_text(json.dumps(made), "utf-8")
                info.chmod(0o600)
                self.made.append(f"embedded {reports:,}")
            self._embedded[reports] = seed
        return self._embedded[reports]

    def summary(self) -> str:
        """The seeds this run used: sizes, how each was made and how long it took."""
        parts = []
        for size in sorted(set(self._embedded) | set(self._pg)):
            said = []
            if size in self._embedded:
                e = self._embedded[size]
                said.append(
                    f"embedded {e.size_mb:,.0f} MB, written through the store API in "
                    f"{e.seconds:.1f} s"
                )
            if size in self._pg:
                g = self._pg[size]
                said.append(
                    f"PostgreSQL {g.size_mb:,.0f} MB, `python -m bot store copy --to postgres` "
                    f"in {g.seconds:.1f} s"
                )
            parts.append(f"{size:,} reports: " + "; ".join(said))
        kept = (
            f" Made by this run: {', '.join(self.made)}; the others kept from an earlier run."
            if self.made
            else " All kept from an earlier run of the same day."
        )
        return (
            f"Seeds (bench/bigseed.py; the generated year ends {self.now:%Y-%m-%d %H:%M} UTC): "
            + ". ".join(parts)
            + "."
            + kept
        )


def big_seeds(ctx: Context) -> BigSeeds:
    """The run's BigSeeds (one per run, shared by the measures)."""
    found = getattr(ctx, "_big_seeds", None)
    if found is None:
        found = BigSeeds(ctx)
        ctx._big_seeds = found  # type: ignore[attr-defined]
    return found


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
