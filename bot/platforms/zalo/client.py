"""ZaloClient: a thin aiohttp client of the Zalo Bot API that turns answers into typed errors."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://bot-api.zaloplatforms.com"
# getUpdates holds the request open for `timeout` seconds; the read must outlast it (S7: +10 s).
POLL_READ_MARGIN = 10.0
# Zalo fetches a photo URL before it answers sendPhoto (S4), so that call gets more time.
PHOTO_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential waits with jitter, for retries Zalo gives no delay for."""

    initial: float = 1.0
    maximum: float = 60.0
    factor: float = 2.0
    jitter: float = 0.25  # the wait is shortened by up to this fraction, so bots do not align

    def delay(self, attempt: int) -> float:
        """The wait before retry number `attempt` (0 for the first)."""
        base = min(self.maximum, self.initial * self.factor ** max(attempt, 0))
        return base * (1 - self.jitter * random.random())  # noqa: S311 (jitter, not security)


class ZaloError(Exception):
    """An error answer of the Zalo Bot API (or no usable answer); never carries the URL."""

    def __init__(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        http_status: int = 0,
        from_zalo: bool = False,
    ) -> None:
        # The token sits in the URL path, so the message names the method only.
        super().__init__(f"zalo {method}: {error_code} {description}".strip())
        self.method = method
        self.error_code = error_code
        self.description = description
        self.http_status = http_status
        # Whether the answer was Zalo's JSON envelope ({"ok": false, …}), not a proxy's page.
        self.from_zalo = from_zalo


class ZaloUnauthorized(ZaloError):
    """401: the token is wrong or was reset; fatal for this bot."""


class ZaloBadRequest(ZaloError):
    """400 or 404: the request itself is wrong; retrying will not help."""


class ZaloTimeout(ZaloError):
    """408: getUpdates saw nothing within its timeout; the normal idle answer."""


class ZaloRetryable(ZaloError):
    """403 ("internal server error" in Zalo's table), 5xx, network failures: try again later."""


class ZaloQuotaExceeded(ZaloError):
    """429, whatever its text: the bot's monthly message quota is spent."""


_RETRYABLE_CODES = frozenset({403, 425, 500, 502, 503, 504})


def check_response(status: int, body: Any, *, method: str = "") -> Any:
    """The `result` of a successful answer, else the typed ZaloError for it.

    Checks both the HTTP status and `ok`: Zalo sends some refusals with HTTP 200 and ok:false
    (getMe 401), others with the code as HTTP status (idle getUpdates 408, getWebhookInfo 404),
    and some bodies carry no `error_code`, so the HTTP status stands in for it.
    """
    if isinstance(body, dict) and body.get("ok") is True and 200 <= status < 300:
        # sendChatAction answers `{"ok": true}` without a result.
        return body.get("result", True)
    description = ""
    code = 0
    from_zalo = isinstance(body, dict) and body.get("ok") is False
    if isinstance(body, dict):
        description = str(body.get("description") or "")
        raw = body.get("error_code")
        code = raw if isinstance(raw, int) and not isinstance(raw, bool) else 0
    if not code:
        code = status if status >= 300 else 0
    error = _error_for(method, code, description or "no description", status)
    error.from_zalo = from_zalo
    raise error


def _error_for(method: str, code: int, description: str, status: int) -> ZaloError:
    kind: type[ZaloError]
    if code == 401:
        kind = ZaloUnauthorized
    elif code in (400, 404):
        kind = ZaloBadRequest
    elif code == 408:
        kind = ZaloTimeout
    elif code == 429:
        # Zalo's only documented 429 is "quota exceeded", and it publishes no per-second limit:
        # whatever the text says ("too many", "flood"…), the bot's month is spent (docs/zalo.md).
        kind = ZaloQuotaExceeded
    elif code in _RETRYABLE_CODES or code >= 500 or (code == 0 and status >= 500):
        kind = ZaloRetryable
    elif code == 0:
        # HTTP 200 without ok:true and without a code: a broken answer (a proxy page, say).
        kind = ZaloRetryable
    else:
        kind = ZaloError
    return kind(method, code, description, http_status=status)


class ZaloClient:
    """One bot's connection to the Zalo Bot API: `call(method, **params)` POSTs JSON."""

    def __init__(
        self,
        *,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._token = token
        self._base = api_base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ZaloClient(api_base_url={self._base!r})"  # never the token

    async def close(self) -> None:
        """Close the HTTP session if this client opened it."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, /, *, request_timeout: float | None = None, **params: Any
    ) -> Any:
        """POST `params` as JSON to `method`; the `result`, or a ZaloError subclass."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = f"{self._base}/bot{self._token}/{method}"
        timeout = aiohttp.ClientTimeout(total=request_timeout or self.timeout)
        try:
            async with self._session.post(url, json=params, timeout=timeout) as resp:
                status = resp.status
                try:
                    body = await resp.json(content_type=None)
                except ValueError:
                    body = None
        except TimeoutError:
            log.debug("zalo %s timed out", method)
            raise ZaloRetryable(method, 0, "request timed out") from None
        except aiohttp.ClientError as exc:
            # aiohttp errors may hold the URL (and so the token): keep the class name only and
            # drop the chained exception.
            log.debug("zalo %s failed: %s", method, type(exc).__name__)
            raise ZaloRetryable(method, 0, f"network error: {type(exc).__name__}") from None
        log.debug("zalo %s answered HTTP %s", method, status)
        return check_response(status, body, method=method)

    async def get_me(self) -> dict[str, Any]:
        return _as_dict(await self.call("getMe"))

    async def get_updates(self, timeout: float = 30) -> Any:
        """One long poll: one update (a dict) when something came; ZaloTimeout when idle.

        Idle is a 408, with or without `error_code` (measured without), or a gateway's 504
        ending the held request (S3 treats it as idle too)."""
        seconds = max(float(timeout), 0.0)
        # Sent as a string, as documented: "30" for 30 (fractions only ever appear in tests).
        margin = min(POLL_READ_MARGIN, self.timeout)  # no longer than any other answer
        try:
            return await self.call(
                "getUpdates", request_timeout=seconds + margin, timeout=f"{seconds:g}"
            )
        except ZaloRetryable as exc:
            if 504 not in (exc.error_code, exc.http_status):
                raise
            idle = ZaloTimeout("getUpdates", 504, exc.description, http_status=exc.http_status)
            idle.from_zalo = exc.from_zalo
            raise idle from None

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any] | None:
        """The webhook settings, or None when none is set (Zalo answers that with 404)."""
        try:
            info = await self.call("getWebhookInfo")
        except ZaloBadRequest as exc:
            if exc.error_code == 404:
                return None
            raise
        return info if isinstance(info, dict) else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return _as_dict(await self.call("sendMessage", chat_id=chat_id, text=text))

    async def send_photo(
        self, chat_id: str, photo: str, caption: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        timeout = max(self.timeout, PHOTO_TIMEOUT)
        return _as_dict(await self.call("sendPhoto", request_timeout=timeout, **params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", chat_id=chat_id, action=action)


def _as_dict(result: Any) -> dict[str, Any]:
    """A result object; anything else (undocumented `true`) becomes an empty one."""
    return result if isinstance(result, dict) else {}
