"""requirements/lock.txt pins every dependency of pyproject.toml (the test tools too) inside its
declared range, and every install path (the README's two commands, CI, the production recipe)
installs with it: a range edited without renewing the lock, or an install that bypasses it,
fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"
WITH_LOCK = "-c requirements/lock.txt"


def _pins() -> dict[str, Version]:
    pins = {}
    for line in LOCK.read_text("utf-8").splitlines():
        if match := re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", line):
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def test_the_lock_pins_every_dependency_inside_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    pins = _pins()
    outside = [
        f"{r} (locked: {pins.get(canonicalize_name(r.name), 'missing')})"
        for r in wanted
        if canonicalize_name(r.name) not in pins
        or not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert outside == [], "renew requirements/lock.txt (README, Dependencies)"
    assert pins["aiohttp"] >= Version("3.14.3")  # past the known request-smuggling advisories


def test_every_install_path_uses_the_lock() -> None:
    readme = (ROOT / "README.md").read_text("utf-8").splitlines()
    run_line, test_line = readme[1], readme[2]
    assert WITH_LOCK in run_line and "-e . " in run_line and run_line.endswith("bot run")
    assert WITH_LOCK in test_line and test_line.endswith("python -m pytest")
    assert test_line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()  # verbatim
    for doc in ("docs/deploy.md", "Makefile"):
        installs = [
            line for line in (ROOT / doc).read_text("utf-8").splitlines() if "pip install" in line
        ]
        assert installs and all(WITH_LOCK in line for line in installs), doc
