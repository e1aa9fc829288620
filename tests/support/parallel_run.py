"""How the suite is spread over the cores (pytest-xdist), and the order that keeps both busy.

Loaded by tests/conftest.py (pytest_plugins)."""

from __future__ import annotations

import pytest


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
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
