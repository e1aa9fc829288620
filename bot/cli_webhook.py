"""`python -m bot webhook set|delete|info`: register, remove or show the webhook of each
configured bot at Telegram and Zalo, with the tokens and secrets from the environment.

The bot in webhook mode also sets its webhooks itself when it starts; this command is for
setting them up before the switch, taking them down, and seeing what the platform reports
(pending updates, the last delivery error). No token or secret is ever printed or logged."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.cli_common import FAILED, OK, USAGE, config_or_none, err
from bot.clock import SystemClock
from bot.config import Config
from bot.services.audit import AuditLog, cli_who
from bot.store import StoreError, StoreLockedError, open_store

log = logging.getLogger(__name__)

TELEGRAM_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "poll_answer"]
_TG_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Target:
    """One bot to act on: where its API is, its public webhook URL and its secrets."""

    platform: str  # "telegram" or "zalo"
    bot: str  # the Zalo bot name; "" for Telegram
    api: str
    token: str
    url: str | None
    secret: str
    mode: str
    token_env: str
    secret_env: str

    @property
    def label(self) -> str:
        return f"zalo:{self.bot}" if self.bot else self.platform


def _targets(config: Config, platform: str, bot: str | None) -> tuple[list[Target], list[str]]:
    """The bots the arguments name, and the problems that stop any of them."""
    found: list[Target] = []
    problems: list[str] = []
    tg, zl = config.platforms.telegram, config.platforms.zalo
    if platform in ("telegram", "all") and bot is None:
        if tg.token is not None:
            secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
            url = config.webhook_url(tg.public_base_url, tg.webhook_path)
            target = Target(
                "telegram", "", tg.api_base_url, tg.token.get_secret_value(), url, secret,
                tg.mode, "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
            )  # fmt: skip
            found.append(target)
        elif platform == "telegram":
            problems.append("telegram: TELEGRAM_BOT_TOKEN is not set in the environment")
    if platform in ("zalo", "all"):
        bots = [b for b in zl.bots if bot is None or b.name == bot]
        if bot is not None and not bots:
            names = ", ".join(b.name for b in zl.bots) or "none"
            problems.append(f"no Zalo bot {bot!r} in platforms.zalo.bots (configured: {names})")
        for b in bots:
            if b.token is None:
                if bot is not None or platform == "zalo":
                    problems.append(f"zalo:{b.name}: {b.token_env} is not set in the environment")
                continue
            path = f"{zl.webhook_path.rstrip('/')}/{b.name}"
            secret = b.webhook_secret.get_secret_value() if b.webhook_secret else ""
            url = config.webhook_url(zl.public_base_url, path)
            target = Target(
                "zalo", b.name, zl.api_base_url, b.token.get_secret_value(), url, secret,
                zl.mode, b.token_env, b.secret_env,
            )  # fmt: skip
            found.append(target)
    if not found and not problems:
        problems.append(
            "no bot to act on: set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN_<NAME> in the environment"
        )
    return found, problems


def _set_problems(t: Target) -> list[str]:
    """Why `set` must refuse this bot: no public HTTPS address or no usable secret."""
    problems = []
    if t.url is None:
        problems.append(
            f"{t.label}: no public address; set web.public_base_url "
            f"(or platforms.{t.platform}.public_base_url) to the https:// address of the proxy"
        )
    elif not t.url.startswith("https://"):
        problems.append(f"{t.label}: the webhook address must be https://, not {t.url}")
    if not t.secret:
        problems.append(f"{t.label}: {t.secret_env} is not set in the environment")
    elif t.platform == "telegram" and not _TG_SECRET.fullmatch(t.secret):
        problems.append(f"{t.label}: {t.secret_env} may hold only A-Z a-z 0-9 _ - (1-256)")
    elif t.platform == "zalo" and not 8 <= len(t.secret) <= 256:
        problems.append(f"{t.label}: {t.secret_env} must be 8-256 characters long")
    return problems


class ApiFailed(Exception):
    """The platform refused the call or could not be reached (never holds the token)."""


async def _call(http: aiohttp.ClientSession, t: Target, method: str, **params: Any) -> Any:
    """POST one Bot API method as JSON; its `result`, or ApiFailed with the platform's words."""
    url = f"{t.api.rstrip('/')}/bot{t.token}/{method}"
    try:
        async with http.post(url, json=params, timeout=TIMEOUT) as resp:
            status = resp.status
            try:
                body = await resp.json(content_type=None)
            except ValueError:
                body = None
    except (aiohttp.ClientError, TimeoutError) as exc:
        # aiohttp's messages may hold the URL, and so the token: the class name only.
        raise ApiFailed(f"{method}: network error ({type(exc).__name__})") from None
    if isinstance(body, dict) and body.get("ok") is True:
        return body.get("result")
    code = body.get("error_code", status) if isinstance(body, dict) else status
    text = body.get("description", "") if isinstance(body, dict) else ""
    raise ApiFailed(f"{method}: HTTP {status}, error {code}: {text or 'no description'}")


async def _set(http: aiohttp.ClientSession, t: Target) -> str:
    assert t.url is not None
    if t.platform == "telegram":
        await _call(
            http, t, "setWebhook", url=t.url, secret_token=t.secret,
            allowed_updates=TELEGRAM_UPDATES, drop_pending_updates=False,
        )  # fmt: skip
    else:
        await _call(http, t, "setWebhook", url=t.url, secret_token=t.secret)
    note = ""
    if t.mode != "webhook":
        note = (
            f"\n  note: platforms.{t.platform}.mode is {t.mode!r}; set it to 'webhook' and "
            "restart the bot, or its poller removes this webhook when it starts"
        )
    return f"{t.label}: webhook set to {t.url}{note}"


async def _delete(http: aiohttp.ClientSession, t: Target) -> str:
    if t.platform == "telegram":
        await _call(http, t, "deleteWebhook", drop_pending_updates=False)
    else:
        await _call(http, t, "deleteWebhook")
    note = ""
    if t.mode == "webhook":
        note = (
            f"\n  note: platforms.{t.platform}.mode is 'webhook'; the bot sets the webhook again "
            "when it starts: switch the mode to 'polling' first"
        )
    return f"{t.label}: webhook removed{note}"


def _when(seconds: Any) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
        return "-"
    if seconds > 10**11:  # Zalo counts in milliseconds
        seconds /= 1000
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


async def _info(http: aiohttp.ClientSession, t: Target) -> str:
    try:
        info = await _call(http, t, "getWebhookInfo")
    except ApiFailed as exc:
        if t.platform == "zalo" and "error 404" in str(exc):
            info = {}  # Zalo answers 404 when no webhook is set
        else:
            raise
    info = info if isinstance(info, dict) else {}
    lines = [f"{t.label}:", f"  url: {info.get('url') or '(none: the bot polls)'}"]
    lines.append(f"  expected: {t.url or '(no public_base_url in config)'}; mode: {t.mode}")
    if t.platform == "telegram":
        lines.append(f"  pending updates: {info.get('pending_update_count', 0)}")
        error = info.get("last_error_message")
        when = _when(info.get("last_error_date"))
        lines.append(f"  last error: {f'{when} {error}' if error else 'none'}")
    else:
        lines.append("  pending updates: unknown (Zalo does not report them)")
        lines.append("  last error: unknown (Zalo does not report it)")
        lines.append(f"  updated at: {_when(info.get('updated_at'))}")
    return "\n".join(lines)


ACTIONS = {"set": _set, "delete": _delete, "info": _info}


async def _run_all(action: str, targets: list[Target]) -> tuple[list[Target], bool]:
    """Act on each bot; the ones that succeeded, and whether any failed."""
    done: list[Target] = []
    failed = False
    async with aiohttp.ClientSession() as http:
        for t in targets:
            try:
                print(await ACTIONS[action](http, t))
            except ApiFailed as exc:
                err(f"{t.label}: {exc}")
                failed = True
                continue
            done.append(t)
    return done, failed


def _audit(config: Config, action: str, done: list[Target]) -> None:
    """Record set/delete in the audit trail when no running bot holds the store; else log it."""
    data_dir = config.data_dir
    if not data_dir.is_dir():
        log.warning("webhook.%s not audited: no data folder at %s yet", action, data_dir)
        return
    try:
        store = open_store(data_dir)
    except StoreLockedError:
        err("(not in the audit trail: the running bot holds the store; this is logged instead)")
        for t in done:
            log.warning("webhook.%s by %s target=%s url=%s", action, cli_who(), t.label, t.url)
        return
    except StoreError as exc:
        log.warning("webhook.%s not audited: %s", action, exc)
        return
    try:
        audit = AuditLog(store=store, clock=SystemClock())
        for t in done:
            detail = {"url": t.url or ""} if action == "set" else {}
            audit.record(f"webhook.{action}", who=cli_who(), where="cli", target=t.label,
                         detail=detail)  # fmt: skip
    finally:
        store.close()


def run_webhook(
    *,
    action: str,
    platform: str = "all",
    bot: str | None = None,
    config_path: str | None = None,
    environ: Mapping[str, str],
) -> int:
    """Exit 0 when every named bot succeeded; 2 when the config or environment forbids it;
    1 when a platform refused or could not be reached."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if bot is not None and platform == "telegram":
        err("--bot names a Zalo bot; it cannot go with --platform telegram")
        return USAGE
    targets, problems = _targets(config, platform, bot)
    if action == "set":
        problems += [p for t in targets for p in _set_problems(t)]
    if problems:
        err("Không thực hiện / refused:")
        for problem in problems:
            err(f"- {problem}")
        return USAGE
    done, failed = asyncio.run(_run_all(action, targets))
    if action != "info" and done:
        _audit(config, action, done)
    return FAILED if failed else OK
