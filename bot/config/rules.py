"""Config checks that span sections: secrets in the file, duplicate codes, references, webhooks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.config.api import api_problems, token_env_for
from bot.config.models import (
    AdminEntry,
    Problem,
    TelegramSection,
    WebSection,
    ZaloBot,
    ZaloSection,
    env_suffix,
)
from bot.config.reminders import reminder_problems
from bot.config.reports_check import report_problems
from bot.config.webhooks import webhook_problems
from bot.config.yaml_source import join_path

TOKEN_SHAPE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "private_key")
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
M = TypeVar("M", bound=BaseModel)
# Names of environment variables, not secrets.
ALL_SECRET_ENV = ", ".join(
    (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "ZALO_BOT_TOKEN_<NAME>",
        "ZALO_WEBHOOK_SECRET_<NAME>",
        "WEBHOOK_SECRET_<NAME>",
    )
)


def env_value(environ: Mapping[str, str], name: str) -> str | None:
    """An environment variable; an empty value (docker-compose often leaves one) is absent."""
    value = environ.get(name, "").strip()
    return value or None


def _walk(data: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every (key path, key, value) in nested mappings and lists; list items have key None."""
    if isinstance(data, dict):
        for key, value in data.items():
            sub = join_path(path, key)
            yield sub, key, value
            yield from _walk(value, sub)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            sub = join_path(path, index)
            yield sub, None, value
            yield from _walk(value, sub)


def _env_for(raw: dict[str, Any], path: str, *, is_secret: bool) -> str:
    """The environment variable a secret found at `path` belongs in."""
    hook = re.match(r"webhooks\.endpoints\[(\d+)\]", path)
    if hook:
        section = raw.get("webhooks")
        hooks = section.get("endpoints") if isinstance(section, dict) else None
        entry = hooks[int(hook.group(1))] if isinstance(hooks, list) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        env = entry.get("secret_env") if isinstance(entry, dict) else None
        suffix = env_suffix(name) if isinstance(name, str) and name else "<NAME>"
        return env if isinstance(env, str) and env else f"WEBHOOK_SECRET_{suffix}"
    bot = re.match(r"platforms\.zalo\.bots\[(\d+)\]", path)
    if bot:
        bots = raw.get("platforms", {}).get("zalo", {}).get("bots")
        entry = bots[int(bot.group(1))] if isinstance(bots, list) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        suffix = env_suffix(name) if isinstance(name, str) and name else "<NAME>"
        return f"ZALO_WEBHOOK_SECRET_{suffix}" if is_secret else f"ZALO_BOT_TOKEN_{suffix}"
    if path.startswith("api."):
        return token_env_for(raw, path)
    if path.startswith("dhis2"):
        return "DHIS2_PASSWORD" if "pass" in path.rsplit(".", 1)[-1] else "DHIS2_API_TOKEN"
    if path.startswith("platforms.zalo"):
        return "ZALO_WEBHOOK_SECRET_<NAME>" if is_secret else "ZALO_BOT_TOKEN_<NAME>"
    if path.startswith("platforms.telegram") or not is_secret:
        return "TELEGRAM_WEBHOOK_SECRET" if is_secret else "TELEGRAM_BOT_TOKEN"
    return f"one of {ALL_SECRET_ENV}"


def _names_env(key: Any, value: Any) -> bool:
    """A key `…_env` whose value is an environment variable's name (upper case)."""
    return (
        isinstance(key, str)
        and key.lower().endswith("_env")
        and isinstance(value, str)
        and _ENV_NAME.fullmatch(value) is not None
    )


def find_secrets(raw: dict[str, Any]) -> list[Problem]:
    """Keys named like a secret and values shaped like a bot token: both belong in the env."""
    problems: list[Problem] = []
    for path, key, value in _walk(raw):
        named = isinstance(key, str) and any(w in key.lower() for w in _SECRET_WORDS)
        if named and _names_env(key, value):
            continue  # `secret_env: WEBHOOK_SECRET_X` names where the secret is, not the secret
        if named:
            is_secret = "token" not in key.lower()
            env = _env_for(raw, path, is_secret=is_secret)
            problems.append(
                Problem(
                    path,
                    "secrets never go in this file; put it in the environment variable "
                    f"{env} instead",
                )
            )
        elif isinstance(value, str) and TOKEN_SHAPE.search(value):
            env = _env_for(raw, path, is_secret=False)
            problems.append(
                Problem(
                    path,
                    f"this looks like a bot token; remove it and put it in the environment "
                    f"variable {env} instead",
                )
            )
    return problems


def _area_codes(raw: dict[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    """Area code → key path of its first use, tolerating a malformed tree; plus duplicates."""
    codes: dict[str, str] = {}
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [("areas", raw.get("areas"))]
    while stack:
        path, node = stack.pop()
        if not isinstance(node, dict):
            continue
        code = node.get("code")
        if isinstance(code, str | int) and not isinstance(code, bool):
            code = str(code).strip()
            if code in codes:
                problems.append(
                    Problem(
                        f"{path}.code",
                        f"duplicate area code {code!r}: also used at {codes[code]}.code; "
                        "every area needs its own code",
                    )
                )
            else:
                codes[code] = path
        children = node.get("children")
        if isinstance(children, list):
            # Reversed so that the first occurrence in file order is the one kept.
            stack.extend(
                (join_path(f"{path}.children", i), c)
                for i, c in reversed(list(enumerate(children)))
            )
    return codes, problems


def _validated(model: type[M], data: Any) -> M | None:
    """`data` as `model`, or None when invalid (the main validation reports why)."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _section(raw: dict[str, Any], key: str) -> Any:
    value = raw.get(key)
    return {} if value is None else value


def _unknown_area(code: str, codes: Mapping[str, str]) -> str:
    return f"no area has the code {code!r}; use a code from `areas` (e.g. {next(iter(codes))})"


def _platform_parts(
    raw: dict[str, Any],
) -> tuple[TelegramSection | None, ZaloSection | None, list[tuple[int, ZaloBot]], list[Any]]:
    """Telegram, Zalo (without bots) and each Zalo bot validated apart: one typo hides nothing."""
    platforms = _section(raw, "platforms")
    if not isinstance(platforms, dict):
        return None, None, [], []
    tg = _validated(TelegramSection, _section(platforms, "telegram"))
    zalo_raw = _section(platforms, "zalo")
    if not isinstance(zalo_raw, dict):
        return tg, None, [], []
    bots_raw = zalo_raw.get("bots")
    bots_raw = bots_raw if isinstance(bots_raw, list) else []
    zalo = _validated(ZaloSection, {k: v for k, v in zalo_raw.items() if k != "bots"})
    bots = [(i, b) for i, entry in enumerate(bots_raw) if (b := _validated(ZaloBot, entry))]
    names = [entry.get("name") for entry in bots_raw if isinstance(entry, dict)]
    return tg, zalo, bots, names


def cross_checks(raw: dict[str, Any], environ: Mapping[str, str]) -> list[Problem]:
    """Problems no single section can see; each runs on whatever validates, so all show at once."""
    codes, problems = _area_codes(raw)
    tg, zalo, bots, bot_names = _platform_parts(raw)
    web = _validated(WebSection, _section(raw, "web"))
    problems += _zalo_bots(bots, codes)
    problems += report_problems(raw)
    types = raw.get("report_types")
    type_codes = (
        {t.get("code") for t in types if isinstance(t, dict)} if isinstance(types, list) else set()
    )
    problems += reminder_problems(raw, codes, {str(c) for c in type_codes if c})
    problems += webhook_problems(raw, environ, codes)
    problems += api_problems(raw, codes, environ)
    if web is not None:
        problems += _webhooks(tg, zalo, bots, web, environ)
    admins = raw.get("admins")
    for index, entry in enumerate(admins if isinstance(admins, list) else []):
        admin = _validated(AdminEntry, entry)
        if admin is None:
            continue
        path = join_path("admins", index)
        if admin.area is not None and codes and admin.area not in codes:
            where = f"{path}.area" if isinstance(entry, dict) else path
            problems.append(Problem(where, _unknown_area(admin.area, codes)))
        if admin.platform == "zalo" and admin.bot not in bot_names:
            configured = ", ".join(sorted(set(map(str, bot_names)))) or "none yet"
            problems.append(
                Problem(
                    f"{path}.account" if isinstance(entry, dict) else path,
                    f"no Zalo bot is named {admin.bot!r} under platforms.zalo.bots "
                    f"(configured: {configured})",
                )
            )
    return problems


def _zalo_bots(bots: list[tuple[int, ZaloBot]], codes: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    env_seen: dict[str, str] = {}
    for index, bot in bots:
        path = f"platforms.zalo.bots[{index}]"
        if bot.name in seen:
            problems.append(
                Problem(
                    f"{path}.name",
                    f"duplicate bot name {bot.name!r} (also bots[{seen[bot.name]}])",
                )
            )
        elif env_suffix(bot.name) in env_seen:
            problems.append(
                Problem(
                    f"{path}.name",
                    f"{bot.name!r} and {env_seen[env_suffix(bot.name)]!r} would share "
                    f"the environment variable {bot.token_env}; rename one",
                )
            )
        seen.setdefault(bot.name, index)
        env_seen.setdefault(env_suffix(bot.name), bot.name)
        for at, code in enumerate(bot.areas):
            if codes and code not in codes:
                problems.append(Problem(f"{path}.areas[{at}]", _unknown_area(code, codes)))
    return problems


def _webhooks(
    tg: TelegramSection | None,
    zalo: ZaloSection | None,
    bots: list[tuple[int, ZaloBot]],
    web: WebSection,
    environ: Mapping[str, str],
) -> list[Problem]:
    """Webhook mode needs an https address the platform can reach, and (if it runs) its secret."""
    problems: list[Problem] = []
    for name, section in (("telegram", tg), ("zalo", zalo)):
        if section is None or not section.enabled or section.mode != "webhook":
            continue
        base = section.public_base_url or web.public_base_url
        where = f"platforms.{name}.public_base_url"
        if base is None:
            problems.append(
                Problem(
                    where,
                    "webhook mode needs the public https:// address of this "
                    "server (here or in web.public_base_url), or use mode: polling",
                )
            )
        elif not base.startswith("https://"):
            where = where if section.public_base_url else "web.public_base_url"
            problems.append(Problem(where, f"webhooks need an https:// address, not {base!r}"))
    if (
        tg is not None
        and tg.enabled
        and tg.mode == "webhook"
        and env_value(environ, "TELEGRAM_BOT_TOKEN")
    ):
        secret = env_value(environ, "TELEGRAM_WEBHOOK_SECRET")
        if secret is None:
            problems.append(
                Problem(
                    "platforms.telegram.mode",
                    "webhook mode needs a secret in the "
                    "environment variable TELEGRAM_WEBHOOK_SECRET",
                )
            )
        elif not _TELEGRAM_SECRET.fullmatch(secret):
            problems.append(
                Problem(
                    "TELEGRAM_WEBHOOK_SECRET",
                    "must be 1–256 characters of A-Z, a-z, 0-9, '_' and '-' (Telegram's rule)",
                )
            )
    if zalo is not None and zalo.enabled and zalo.mode == "webhook":
        for index, bot in bots:
            if not env_value(environ, bot.token_env):
                continue
            secret = env_value(environ, bot.secret_env)
            if secret is None:
                problems.append(
                    Problem(
                        f"platforms.zalo.bots[{index}]",
                        "webhook mode needs a "
                        f"secret in the environment variable {bot.secret_env}",
                    )
                )
            elif not 8 <= len(secret) <= 256:
                problems.append(Problem(bot.secret_env, "must be 8–256 characters (Zalo's rule)"))
    return problems
