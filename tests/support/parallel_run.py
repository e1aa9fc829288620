"""How the suite is spread over the cores (pytest-xdist), and the order that keeps both busy.

Each run keeps how long every test that passed took (pytest's cache, .pytest_cache); the next
run starts the long ones first, longest first, so that the last minute is not one long test
alone while the other cores are idle. Without those times (a fresh checkout, `-p
no:cacheprovider`) the tests marked slow are spread over the first half instead.

Loaded by tests/conftest.py (pytest_plugins)."""

from __future__ import annotations

from typing import Any

import pytest

DURATIONS = "parallel_run/durations"  # the cache's key: test id → seconds when it last passed
LONG = 1.0  # seconds: a test known to take longer starts early


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Every core by default (pytest-xdist): each worker takes the next test when it is done
    (`--dist load --maxschedchunk 1`), in the order pytest_collection_modifyitems gives. `-n N`
    sets the workers; `-n 0` or `-p no:xdist` runs the suite in this process, one by one.
    (Set here rather than in addopts, which would break `-p no:xdist`.)"""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None and not config.option.usepdb:
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "load"
            config.option.maxschedchunk = config.option.maxschedchunk or 1


class _Durations:
    """Adds up each test's setup, call and teardown, and keeps the times of those that passed
    for the next run (merged with what earlier runs, also of a few files, found)."""

    def __init__(self, cache: pytest.Cache) -> None:
        self.cache = cache
        self.took: dict[str, float] = {}
        self.failed: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.took[report.nodeid] = self.took.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self) -> None:
        if not self.took:
            return
        known = _valid(self.cache.get(DURATIONS, {}))
        known.update({k: round(v, 3) for k, v in self.took.items() if k not in self.failed})
        self.cache.set(DURATIONS, known)


def _valid(found: Any) -> dict[str, float]:
    if not isinstance(found, dict):
        return {}
    return {k: float(v) for k, v in found.items() if isinstance(v, int | float)}


def pytest_configure(config: pytest.Config) -> None:
    """The run that reports (this process without xdist, or xdist's controller) keeps times."""
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Durations(cache), "parallel_run_durations")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Every xdist worker orders the tests by the same times, read once here (workers whose
    collections differ in order would stop the run)."""
    cache = getattr(node.config, "cache", None)
    node.workerinput["parallel_run_durations"] = (
        _valid(cache.get(DURATIONS, {})) if cache is not None else {}
    )


def _known(config: pytest.Config) -> dict[str, float]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return dict(workerinput.get("parallel_run_durations", {}))
    cache = getattr(config, "cache", None)
    return _valid(cache.get(DURATIONS, {})) if cache is not None else {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests known to be long first, longest first; then the rest, with the tests marked
    slow whose times are not known yet spread over its first half.

    xdist (`--dist load`, `--maxschedchunk 1`) gives each of N workers two tests at the start
    and then the next one whenever it finishes one: the first 2N are placed so that each
    worker's first two are the k-th and the (k+N)-th longest, not the two longest on one."""
    known = _known(config)
    long = sorted(
        (item for item in items if known.get(item.nodeid, 0.0) >= LONG),
        key=lambda item: -known[item.nodeid],
    )
    if not long:
        _spread_slow(items)
        return
    rest = [item for item in items if known.get(item.nodeid, 0.0) < LONG]
    _spread_slow(rest)
    ordered = long + rest
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if 1 < workers and 2 * workers <= len(ordered):
        head = ordered[: 2 * workers]
        ordered[: 2 * workers] = [head[k + n * workers] for k in range(workers) for n in (0, 1)]
    items[:] = ordered


def _spread_slow(items: list[pytest.Item]) -> None:
    """Spread the long tests (marked slow: a bot in a process of its own, mostly waiting) over
    the first half of the run, a module at a time between two modules, so that on several
    workers they run beside quick ones and none is left to start at the end."""
    slow: dict[str, list[pytest.Item]] = {}
    rest: list[pytest.Item] = []
    for item in items:
        if item.get_closest_marker("slow") is not None:
            slow.setdefault(item.nodeid.split("::")[0], []).append(item)
        else:
            rest.append(item)
    if not slow or not rest:
        return
    starts = [i for i, item in enumerate(rest) if i == 0 or item.path != rest[i - 1].path]
    half = [i for i in starts if i <= len(rest) // 2] or [0]
    slots = [half[k * len(half) // len(slow)] for k in range(len(slow))]
    ordered: list[pytest.Item] = []
    blocks = iter(slow.values())
    for i, item in enumerate(rest):
        while slots and slots[0] == i:
            slots.pop(0)
            ordered += next(blocks)
        ordered.append(item)
    items[:] = ordered
