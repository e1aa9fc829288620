"""`python -m bot backup|restore` as an operator runs them, and `run` on a store from a newer
program: real subprocesses against a data directory the test holds open like a running bot."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.models import Report
from bot.store import SCHEMA_VERSION, open_store

ROOT = Path(__file__).resolve().parents[2]
ICT = timezone(timedelta(hours=7))
pytestmark = pytest.mark.slow


def bot(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    env |= {"BOT_DATA_DIR": str(data), "BOT_WEB_PORT": "0", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_backup_while_the_store_is_open_then_restore_into_an_empty_folder(
    tmp_path: Path,
) -> None:
    """The backup command works while another process holds the store (as the running bot
    does); restore fills an empty folder, records itself, and refuses a full one (exit 2) and a
    cut archive (exit 1)."""
    live, copy = tmp_path / "live", tmp_path / "copy"
    store = open_store(live)
    try:
        at = datetime(2026, 11, 3, 9, 0, tzinfo=ICT)
        for n in range(1, 4):
            store.reports.add(Report(f"danso:18115-0{n}:2026-11", "danso", f"18115-0{n}",
                                     "2026-11", {"sinh": n}, 1, "telegram", at))  # fmt: skip
        done = bot("backup", "-o", str(tmp_path / "b.tar.gz"), data=live)
        assert done.returncode == 0, done.stderr
        assert "backed up" in done.stdout
    finally:
        store.close()
    restored = bot("restore", str(tmp_path / "b.tar.gz"), data=copy)
    assert restored.returncode == 0, restored.stderr
    assert "3 reports; store checks pass" in restored.stdout
    again = bot("restore", str(tmp_path / "b.tar.gz"), data=copy)
    assert again.returncode == 2
    assert "not empty" in again.stderr
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes((tmp_path / "b.tar.gz").read_bytes()[:300])
    broken = bot("restore", str(cut), data=tmp_path / "other")
    assert broken.returncode == 1
    assert "damaged" in broken.stderr and not (tmp_path / "other").exists()
    store = open_store(copy)
    try:
        assert [r.values["sinh"] for r in store.reports.in_period("danso", "2026-11")] == [1, 2, 3]
        assert [e.action for e in store.audit.recent(5)] == ["store.restore"]
    finally:
        store.close()


def test_run_refuses_a_store_written_by_a_newer_program(tmp_path: Path) -> None:
    """A downgrade does not start: exit 3 and a message naming both versions."""
    store = open_store(tmp_path / "data")
    store.meta.set("schema_version", SCHEMA_VERSION + 1)
    store.close()
    result = bot("run", data=tmp_path / "data")
    assert result.returncode == 3
    assert f"schema version {SCHEMA_VERSION + 1}" in result.stderr
    assert f"only up to {SCHEMA_VERSION}" in result.stderr
    assert "newer version of the bot" in result.stderr
