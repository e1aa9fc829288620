"""Webhook administration over the Bot APIs of Telegram and Zalo: setWebhook, deleteWebhook and
getWebhookInfo for one bot at a time (used by `python -m bot webhook`). Plain JSON calls over
aiohttp, so the command needs neither PTB's application nor a running bot. No token or secret
is ever put in a message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

TELEGRAM_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "poll_answer"]
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


async def run_all(
    action: str,
    targets: list[Target],
    *,
    report: Callable[[str], None],
    complain: Callable[[str], None],
) -> tuple[list[Target], bool]:
    """Act on each bot; the ones that succeeded, and whether any failed."""
    done: list[Target] = []
    failed = False
    async with aiohttp.ClientSession() as http:
        for t in targets:
            try:
                report(await ACTIONS[action](http, t))
            except ApiFailed as exc:
                complain(f"{t.label}: {exc}")
                failed = True
                continue
            done.append(t)
    return done, failed
