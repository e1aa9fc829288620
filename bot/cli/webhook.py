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

from bot.app.store_choice import open_configured
from bot.cli.common import FAILED, OK, USAGE, config_or_none, err
from bot.config.loading import Config
from bot.core.clock import SystemClock
from bot.features.audit.log import AuditLog, cli_who
from bot.platforms.webhook_admin import Target, run_all
from bot.store import StoreError, StoreLockedError, open_store

log = logging.getLogger(__name__)

_TG_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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


def _audit(config: Config, action: str, done: list[Target]) -> None:
    """Record set/delete in the audit trail when no running bot holds the store; else log it."""
    data_dir = config.data_dir
    postgres = config.store.backend == "postgres"
    if not postgres and not data_dir.is_dir():
        log.warning("webhook.%s not audited: no data folder at %s yet", action, data_dir)
        return
    try:
        # On PostgreSQL the shared database, which the running instances do not lock.
        store = open_configured(config) if postgres else open_store(data_dir)
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
    done, failed = asyncio.run(run_all(action, targets, report=print, complain=err))
    if action != "info" and done:
        _audit(config, action, done)
    return FAILED if failed else OK
