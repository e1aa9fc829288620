"""Under a loose umask (022, the usual one outside systemd) every file the bot writes is 0600
and every folder it makes 0700: the store, its journal and locks, the sandbox's store, the link
secret, the log file, a backup archive, an export and a restored copy; a data directory an
older version left readable is closed up at start, and the log says so once.

Each command is a real process of its own, forked from the bot zygote with this process's umask
(tests/support/bot_zygote.py): the same program and files, without a second of imports each."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.bot_process import forked_command
from tests.support.harness import write_config

pytestmark = pytest.mark.slow
# The main App (the sandbox's own App starts first, with no web server of its own).
STARTED = re.compile(r"bot started .*web_port=[1-9]")
TIGHTENED = "made them private"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return env | {"PYTHONUNBUFFERED": "1", **extra}


async def _bot(log: Path, *args: str, **env: str) -> str:
    """`python -m bot <args>` to its end, which must be a success; its stderr."""
    proc = await forked_command(list(args), env=_env(**env), log=log)
    code = await asyncio.wait_for(proc.wait(), 120)
    assert code == 0, log.read_text("utf-8", "replace")
    return log.read_text("utf-8", "replace")


async def _run_briefly(config: Path, log: Path) -> str:
    """`python -m bot run` until it says it started (no token: the sandbox too), then SIGTERM;
    its stderr."""
    proc = await forked_command(["run", "--config", str(config)], env=_env(), log=log)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not STARTED.search(log.read_text("utf-8", "replace")):
            assert proc.poll() is None, log.read_text("utf-8", "replace")
            assert loop.time() < deadline, "the bot did not start"
            await asyncio.sleep(0.02)
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            await proc.wait()
    return log.read_text("utf-8", "replace")


def _entries(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield root
        yield from root.rglob("*")


def _loose(*roots: Path) -> list[str]:
    """Every entry under `roots` that is not 0700 (a folder) or 0600 (a file)."""
    wrong = []
    for path in _entries(*roots):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong.append(f"{path.relative_to(path.anchor)} {mode:o}")
    return wrong


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the bot's processes inherit it
    try:
        yield
    finally:
        os.umask(old)


async def test_everything_the_bot_writes_is_private_under_umask_022(
    tmp_path: Path, loose_umask: None
) -> None:
    data, logs, out = tmp_path / "data", tmp_path / "logs" / "bot", tmp_path / "out"
    log_file = logs / "bot.log"
    config = write_config(
        tmp_path, admins=[],
        extra={"logging": {"level": "INFO", "format": "json", "file": str(log_file),
                           "max_bytes": 1_000_000}},
    )  # fmt: skip
    # What a version before private files left: a readable folder and a stored file in it.
    old = data / "files"
    old.mkdir(parents=True)
    (old / "AbCdEfGhIjKlMnOpQrStUv.bin").write_bytes(b"photo")
    now = datetime.now(UTC).isoformat()
    (old / "AbCdEfGhIjKlMnOpQrStUv.json").write_text(
        f'{{"name": "a.jpg", "mime": "image/jpeg", "size": 5, "created_at": "{now}", "owner": 7}}'
    )
    assert stat.S_IMODE(data.stat().st_mode) == 0o755

    stderr = await _run_briefly(config, tmp_path / "run.log")
    assert stderr.count(TIGHTENED) == 1, stderr
    assert (data / "sandbox").is_dir() and (data / "link-secret").is_file()
    assert (old / "AbCdEfGhIjKlMnOpQrStUv.bin").is_file()  # kept, and closed up
    assert (data / "journal.jsonl").exists() and log_file.is_file()

    at = {"BOT_CONFIG": str(config)}
    logs_of = tmp_path / "commands"  # the commands' stderr, outside every folder checked
    logs_of.mkdir()
    await _bot(logs_of / "backup.log", "backup", "-o", str(out / "nightly" / "danso.tar.gz"), **at)
    await _bot(logs_of / "export.log", "export", "--period", "2026-11", "-o",
               str(out / "reports.xlsx"), **at)  # fmt: skip
    digest = await _bot(logs_of / "digest.log", "digest", "--area", "18133", **at)
    assert TIGHTENED not in digest  # once: the data was private since the run
    restored = tmp_path / "restored" / "data"
    await _bot(logs_of / "restore.log", "restore", str(out / "nightly" / "danso.tar.gz"), **at,
               BOT_DATA_DIR=str(restored))  # fmt: skip

    assert _loose(data, logs, out, restored) == []
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700  # made by the bot too
    assert stat.S_IMODE((tmp_path / "restored").stat().st_mode) == 0o700
    with tarfile.open(out / "nightly" / "danso.tar.gz") as tar:
        modes = {f"{m.mode:o}" for m in tar.getmembers()}
        assert "data/link-secret" in tar.getnames()
    assert modes == {"600"}  # unpacked by hand, the archive's files stay private too
