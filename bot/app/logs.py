"""Structured logs, one line per event, with secrets redacted and chatty HTTP loggers quietened."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler, WatchedFileHandler
from pathlib import Path
from typing import IO

from bot.core.file_writes import open_private, private_dir

# Telegram bot tokens look like 123456789:AA…; they sit in every Bot API URL.
_TOKEN_SHAPE = re.compile(r"\b\d{6,}:[A-Za-z0-9_-]{30,}\b")
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class Redactor(logging.Filter):
    """Replaces every known secret (and anything shaped like a bot token) with a placeholder."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN_SHAPE.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def _open_private(handler: logging.FileHandler) -> IO[str]:
    """The log file opened for appending, made 0600 (the logging module's open obeys the
    umask); used at the first record, after each rotation and when logrotate moved it."""
    fd = open_private(handler.baseFilename, os.O_WRONLY | os.O_APPEND)
    return open(fd, "a", encoding=handler.encoding, errors=handler.errors)


class PrivateRotatingFileHandler(RotatingFileHandler):
    def _open(self) -> IO[str]:
        return _open_private(self)


class PrivateWatchedFileHandler(WatchedFileHandler):
    def _open(self) -> IO[str]:
        return _open_private(self)


def setup_logging(
    *,
    level: str = "INFO",
    fmt: str = "json",
    secrets: Iterable[str] = (),
    file: str | None = None,
    max_bytes: int = 0,
    backups: int = 5,
) -> Redactor:
    """Configure the root logger once; returns the redactor to add secrets later.

    Always to stderr (under systemd that is the journal). With `file`, also to that file:
    rotated by size when `max_bytes` > 0, else reopened when logrotate moves it away."""
    redactor = Redactor(secrets)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        path = Path(file).expanduser()
        private_dir(path.parent)
        handlers.append(
            PrivateRotatingFileHandler(
                path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            )
            if max_bytes > 0
            else PrivateWatchedFileHandler(path, encoding="utf-8")
        )
    for handler in handlers:
        handler.addFilter(redactor)
        handler.setFormatter(
            JsonFormatter()
            if fmt == "json"
            else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, logging.FileHandler):
            old.close()
    root.handlers[:] = handlers
    root.setLevel(level.upper())
    quieten_http_loggers()
    return redactor


def quieten_http_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore", "aiohttp.access", "apscheduler.executors.default"):
        logging.getLogger(name).setLevel(logging.WARNING)
