"""Load config.yaml: validate it, add secrets from the environment, report all problems."""

from __future__ import annotations

import difflib
import logging
import os
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails

from bot.config.api import with_tokens
from bot.config.dhis2 import complete_dhis2, dhis2_problems
from bot.config.models import (
    AdminEntry,
    AreaNode,
    Config,
    ConfigError,
    Problem,
    TelegramSection,
    ZaloBot,
    ZaloSection,
    env_suffix,
)
from bot.config.rules import cross_checks, env_value, find_secrets
from bot.config.webhooks import with_secrets
from bot.config.yaml_source import YamlDoc, join_path, parse_yaml

__all__ = [
    "AdminEntry",
    "AreaNode",
    "Config",
    "ConfigError",
    "Problem",
    "TelegramSection",
    "ZaloBot",
    "ZaloSection",
    "env_suffix",
    "load_config",
    "resolve_path",
]

log = logging.getLogger(__name__)

DEFAULT_PATH = "config.yaml"


def resolve_path(path: str | Path | None, environ: Mapping[str, str]) -> Path:
    """The config file to read: the argument, else $BOT_CONFIG, else ./config.yaml."""
    return Path(path or env_value(environ, "BOT_CONFIG") or DEFAULT_PATH).expanduser()


def load_config(
    path: str | Path | None = None, *, environ: Mapping[str, str] = os.environ
) -> Config:
    """Read, validate and complete the configuration; ConfigError lists every problem found."""
    file = resolve_path(path, environ)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = (
            "file not found; pass the path or set BOT_CONFIG (start from the shipped config.yaml)"
        )
        raise ConfigError([Problem(str(file), msg)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(str(file), f"cannot read the file: {exc}")]) from None
    doc = parse_yaml(text)
    if not isinstance(doc.data, dict):
        msg = "the file must be a mapping of sections (timezone:, areas:, platforms: …)"
        raise ConfigError([Problem("(file)", msg)])
    raw: dict[str, Any] = doc.data
    problems = list(doc.problems)
    secret_problems = _with_lines(find_secrets(raw), doc)
    problems += secret_problems
    overrides, env_problems = _env_overrides(environ)
    problems += env_problems
    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        reported = {p.path for p in secret_problems}
        problems += [
            p
            for p in _with_lines(_from_pydantic(exc), doc)
            if not (p.path in reported and "unknown key" in p.message)
        ]
    problems += _with_lines(cross_checks(raw, environ), doc)
    problems += _with_lines(dhis2_problems(raw, folder=file.resolve().parent), doc)
    if problems or config is None:
        raise ConfigError(_unique(problems))
    return _complete(config, folder=file.resolve().parent, overrides=overrides, environ=environ)


def _complete(
    config: Config, *, folder: Path, overrides: dict[str, Any], environ: Mapping[str, str]
) -> Config:
    """Apply environment overrides and secrets; a relative data_dir is under the file's folder."""
    data_dir = overrides.get("data_dir")
    if data_dir is None:
        data_dir = config.data_dir if config.data_dir.is_absolute() else folder / config.data_dir
    tg = config.platforms.telegram
    tg = tg.model_copy(
        update={
            "api_base_url": overrides.get("telegram_api", tg.api_base_url),
            "token": _secret(environ, "TELEGRAM_BOT_TOKEN"),
            "webhook_secret": _secret(environ, "TELEGRAM_WEBHOOK_SECRET"),
        }
    )
    zalo = config.platforms.zalo
    bots = tuple(
        b.model_copy(
            update={
                "token": _secret(environ, b.token_env),
                "webhook_secret": _secret(environ, b.secret_env),
            }
        )
        for b in zalo.bots
    )
    zalo = zalo.model_copy(
        update={"api_base_url": overrides.get("zalo_api", zalo.api_base_url), "bots": bots}
    )
    web = config.web.model_copy(update={"port": overrides.get("port", config.web.port)})
    platforms = config.platforms.model_copy(update={"telegram": tg, "zalo": zalo})
    files_dir = config.store.files_dir
    if files_dir is not None and not files_dir.is_absolute():
        files_dir = Path(os.path.normpath(folder / files_dir))
    store = config.store.model_copy(
        # The database's address (with its password) only ever comes from the environment.
        update={"files_dir": files_dir, "database_url": _secret(environ, "DATABASE_URL")}
    )
    update: dict[str, Any] = {
        "data_dir": Path(os.path.normpath(data_dir)),
        "store": store,
        "platforms": platforms,
        "web": web,
        "webhooks": with_secrets(config.webhooks, environ),
        "dhis2": config.dhis2 and complete_dhis2(config.dhis2, folder=folder, environ=environ),
        "api": with_tokens(config.api, environ),
    }
    return config.model_copy(update=update)


def _secret(environ: Mapping[str, str], name: str) -> SecretStr | None:
    value = env_value(environ, name)
    return SecretStr(value) if value else None


def _env_overrides(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """BOT_DATA_DIR, BOT_WEB_PORT and the API base URLs, checked so errors name the variable."""
    overrides: dict[str, Any] = {}
    problems: list[Problem] = []
    if data_dir := env_value(environ, "BOT_DATA_DIR"):
        # Relative to the current folder, as anyone typing it in a shell expects.
        overrides["data_dir"] = Path(data_dir).expanduser().absolute()
    if port := env_value(environ, "BOT_WEB_PORT"):
        if port.isdigit() and int(port) <= 65535:
            overrides["port"] = int(port)
        else:
            problems.append(Problem("BOT_WEB_PORT", f"{port!r} is not a port number (0–65535)"))
    for var, key in (("TELEGRAM_API_BASE_URL", "telegram_api"), ("ZALO_API_BASE_URL", "zalo_api")):
        if url := env_value(environ, var):
            if url.startswith(("http://", "https://")) and len(url) > len("https://"):
                overrides[key] = url.rstrip("/")
            else:
                problems.append(Problem(var, f"{url!r} must be an http:// or https:// address"))
    return overrides, problems


def _loc_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path = join_path(path, part)
    return path


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The valid key names of the section at `loc`, for suggestions after a typo."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return []
        annotation = info.annotation
        while get_origin(annotation) in (tuple, list, Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a not in (type(None), Ellipsis))
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [name for name, info in model.model_fields.items() if not info.exclude]


def _message(error: ErrorDetails) -> str:
    """A plain-language message for one pydantic error, saying what would be valid."""
    kind, value, loc = error["type"], error.get("input"), error["loc"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        valid = _fields_at(loc[:-1])
        close = difflib.get_close_matches(key, valid, n=3, cutoff=0.6)
        if close:
            return f"unknown key {key!r}; did you mean {' or '.join(map(repr, close))}?"
        return f"unknown key {key!r}; valid keys here: {', '.join(valid)}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value!r} is not valid; use {expected}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if loc == ("areas",) and isinstance(value, list):
            return "the area tree has ONE root (the province or district), not a list"
        got = "a list" if isinstance(value, list) else repr(value)
        return f"must be a mapping of keys (key: value), not {got}"
    if kind in ("less_than_equal", "greater_than_equal"):
        ctx = error.get("ctx", {})
        bound = f"at most {ctx['le']}" if "le" in ctx else f"at least {ctx.get('ge')}"
        return f"must be {bound}, not {value!r}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list (one '- ' item per line), not {value!r}"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _from_pydantic(exc: ValidationError) -> list[Problem]:
    return [Problem(_loc_path(e["loc"]) or "(file)", _message(e)) for e in exc.errors()]


def _with_lines(problems: list[Problem], doc: YamlDoc) -> list[Problem]:
    out = []
    for problem in problems:
        line = doc.line_of(problem.path)
        out.append(Problem(problem.path, f"{problem.message} (line {line})") if line else problem)
    return out


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
