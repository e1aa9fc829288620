"""The building blocks of the config models: Problem, ConfigError, the base Section, checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the configuration: where (a key path) and what would be valid."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists every problem, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)) or "invalid configuration")


def env_suffix(bot_name: str) -> str:
    """The NAME in ZALO_BOT_TOKEN_<NAME>: upper-cased, every other character turned into '_'."""
    return re.sub(r"[^A-Z0-9]", "_", bot_name.upper())


def numbers_as_text(value: Any) -> Any:
    # YAML reads `code: 42` as a number; codes and names are text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def check_url(value: str | None, *, what: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = f"{what} must be a full http:// or https:// address, e.g. https://bot.example.gov.vn"
        raise ValueError(msg)
    return value.strip().rstrip("/")


def check_path(value: str) -> str:
    if not value.startswith("/") or " " in value:
        msg = "a webhook path starts with '/' and has no spaces, e.g. /webhook/telegram"
        raise ValueError(msg)
    return value.rstrip("/") or "/"


class Section(BaseModel):
    """Base of every section: unknown keys are errors (typos get caught), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
