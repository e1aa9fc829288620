"""DHIS2's Web API for one call, POST /api/dataValueSets: the login header, and the answer read
as DHIS2's import summary, or as an error whose catalog key says what to do.

The HTTP itself is injected (bot/platforms/http_post.py in the bot): this room speaks no HTTP
library. DHIS2 2.38 and later wrap the import summary in a web message (`response`) and answer
409 when it has conflicts; older versions answer it bare, with 200."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.config.dhis2 import Dhis2Section

log = logging.getLogger(__name__)

# (url, body, headers, timeout in seconds) → (HTTP status, body); ConnectionError when there
# is no answer (refused, unknown host, TLS, timeout), its text saying why without secrets.
Post = Callable[[str, bytes, Mapping[str, str], float], Awaitable[tuple[int, bytes]]]
PATH = "/api/dataValueSets"
MAX_MESSAGE = 300  # characters of DHIS2's own message kept in ours


@dataclass(frozen=True, slots=True)
class Conflict:
    """A value DHIS2 would not take: the id it names (`object`) and DHIS2's words."""

    object: str
    value: str
    error_code: str = ""
    values: int = 1  # how many values it refused (DHIS2 2.38+ lists their indexes)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What DHIS2 did with a data value set."""

    status: str  # SUCCESS, WARNING or ERROR
    imported: int
    updated: int
    ignored: int
    deleted: int
    conflicts: tuple[Conflict, ...] = ()
    description: str = ""


class Dhis2Error(Exception):
    """Nothing was imported: `key` names the catalog message, `params` fill it in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}")
        self.key = key
        self.params = params


def server_name(base_url: str) -> str:
    """The server as people read it: its host (and port, if any)."""
    return urlsplit(base_url).netloc or base_url


class Dhis2Client:
    """Sends data value sets to one DHIS2 server with the login from the environment."""

    def __init__(self, section: Dhis2Section, post: Post) -> None:
        self.base_url = section.base_url
        self.server = server_name(section.base_url)
        self.timeout = section.timeout_seconds
        self.post = post
        self._auth = _authorization(section)

    async def send(self, body: Mapping[str, Any]) -> ImportSummary:
        """POST one data value set; its import summary, or Dhis2Error."""
        if self._auth is None:
            raise Dhis2Error("dhis2.no_credentials")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": self._auth,
        }
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            status, raw = await self.post(self.base_url + PATH, data, headers, self.timeout)
        except ConnectionError as exc:
            log.warning("dhis2 unreachable server=%s: %s", self.server, exc)
            raise Dhis2Error("dhis2.unreachable", server=self.server, reason=str(exc)) from None
        answer = _json(raw)
        message = _message(answer)
        if status == 401:
            raise Dhis2Error("dhis2.auth_failed", server=self.server)
        if status == 403:
            raise Dhis2Error("dhis2.forbidden", server=self.server, message=message or "-")
        summary = _summary(answer)
        if summary is not None and (status < 300 or status == 409):
            return summary
        if answer is None:
            # A login page, a proxy's error page: not DHIS2's Web API at that address.
            raise Dhis2Error("dhis2.not_api", status=status, url=self.base_url + PATH)
        raise Dhis2Error("dhis2.refused", status=status, message=message or "-")


def _authorization(section: Dhis2Section) -> str | None:
    """A personal access token wins; else the user and password (basic); else None."""
    if section.api_token is not None:
        return f"ApiToken {section.api_token.get_secret_value()}"
    if section.username and section.password is not None:
        pair = f"{section.username}:{section.password.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def _json(raw: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def _message(answer: dict[str, Any] | None) -> str:
    text = answer.get("message") if answer else None
    return " ".join(str(text).split())[:MAX_MESSAGE] if text else ""


def _number(counts: Mapping[str, Any], key: str) -> int:
    try:
        return int(str(counts.get(key, 0)).strip() or 0)
    except ValueError:
        return 0


def _summary(answer: dict[str, Any] | None) -> ImportSummary | None:
    """The import summary inside a web message (2.38+) or bare (before); None if there is none."""
    if answer is None:
        return None
    inner = answer.get("response")
    found = inner if isinstance(inner, dict) and "importCount" in inner else answer
    counts = found.get("importCount")
    if not isinstance(counts, dict):
        return None
    conflicts = tuple(
        Conflict(
            object=str(c.get("object", "")),
            value=" ".join(str(c.get("value", "")).split())[:MAX_MESSAGE],
            error_code=str(c.get("errorCode", "")),
            values=len(c.get("indexes") or ()) or 1,
        )
        for c in found.get("conflicts") or ()
        if isinstance(c, dict)
    )
    return ImportSummary(
        status=str(found.get("status", "")),
        imported=_number(counts, "imported"),
        updated=_number(counts, "updated"),
        ignored=_number(counts, "ignored"),
        deleted=_number(counts, "deleted"),
        conflicts=conflicts,
        description=str(found.get("description", "")),
    )
