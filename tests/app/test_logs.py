"""Logs: stderr always (the journal under systemd), optionally a file, rotated by size or left
to logrotate; secrets are redacted in every destination."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler, WatchedFileHandler
from pathlib import Path

import pytest

from bot.app.logs import setup_logging

TOKEN = "5123456789:AAFakeTelegramTokenForTests_abcdefghij"


@pytest.fixture(autouse=True)
def _restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:], root.level = handlers, level


def test_a_log_file_rotates_by_size_and_keeps_the_backups(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bot.log"
    setup_logging(level="INFO", fmt="json", secrets=[TOKEN], file=str(path), max_bytes=2000,
                  backups=2)  # fmt: skip
    kinds = [type(h) for h in logging.getLogger().handlers]
    assert kinds[0] is logging.StreamHandler and issubclass(kinds[1], RotatingFileHandler)
    log = logging.getLogger("test.rotate")
    for i in range(100):
        log.info("line %d token=%s", i, TOKEN)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["bot.log", "bot.log.1", "bot.log.2"]
    # Private whatever the umask (tests/app/test_file_modes.py runs the bot under 022).
    assert {(path.parent / f).stat().st_mode & 0o777 for f in files} == {0o600}
    text = "".join((path.parent / f).read_text("utf-8") for f in files)
    assert TOKEN not in text and "token=***" in text
    last = json.loads(path.read_text("utf-8").splitlines()[-1])
    assert last["msg"] == "line 99 token=***" and last["level"] == "INFO"


def test_without_a_size_the_file_is_reopened_after_logrotate_moves_it(tmp_path: Path) -> None:
    path = tmp_path / "bot.log"
    setup_logging(level="INFO", fmt="text", file=str(path), max_bytes=0)
    assert isinstance(logging.getLogger().handlers[1], WatchedFileHandler)
    log = logging.getLogger("test.watched")
    log.info("before")
    path.rename(tmp_path / "bot.log.1")  # what logrotate does
    log.info("after")
    assert "before" in (tmp_path / "bot.log.1").read_text("utf-8")
    assert "INFO test.watched: after" in path.read_text("utf-8")
