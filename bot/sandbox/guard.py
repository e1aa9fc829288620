"""Who may use the sandbox's page and API: the sandbox acts as any demo person (the admin too)
with no login, so only its own page, reached by this server's own names, may drive it.

- Host: localhost, 127.0.0.1, ::1, the address the server is bound to, or the host of the
  configured public URL; any other name is a DNS-rebinding page (a site whose name now points
  here), refused.
- Origin (when the browser sends one): this server itself, or the configured public URL;
  another site's page is refused, even for a "simple" text/plain POST that needs no preflight.
- A per-page token: the page carries one (a <meta> filled in when it is served) and sends it in
  the X-Sandbox-Token header with every call that changes something; another site cannot read
  the page, so it cannot learn one. GETs that change nothing (state, live events, files) need
  none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

TOKEN_HEADER = "X-Sandbox-Token"  # noqa: S105 (a header name, not a secret)
# In static/index.html; the server fills in `content` with a fresh token for each page served.
TOKEN_META = '<meta name="sandbox-token" content="">'  # noqa: S105 (a placeholder)
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Bound to every address: the server has no name of its own to add.
_ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 (compared with, never bound)


def host_name(netloc: str) -> str | None:
    """The host name of a Host header or URL authority (`[::1]:8080` → `::1`), lower case."""
    try:
        return urlsplit("//" + netloc).hostname
    except ValueError:
        return None


class SandboxGuard:
    """The Host, Origin and token checks of every sandbox request."""

    def __init__(self, *, bound_host: str, public_url: str | None = None) -> None:
        names = set(LOCAL_NAMES)
        bound = bound_host.strip().strip("[]").lower()
        if bound not in _ANY_ADDRESS:
            names.add(bound)
        public = urlsplit(public_url).hostname if public_url else None
        self.public = frozenset({public} if public else ())
        self.names = frozenset(names | self.public)
        self._secret = secrets.token_bytes(32)  # per process: a restart ends old pages' tokens

    def token(self) -> str:
        """A fresh token for one page: a random part and its signature."""
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str) -> bool:
        nonce, _, signature = token.partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign(nonce))

    def refusal(self, headers: Mapping[str, str], *, changes: bool) -> str | None:
        """Why a request with these headers is refused (403), or None when it may go on.
        `changes`: the call changes something, so it needs the page's token."""
        host = headers.get("Host", "")
        if host_name(host) not in self.names:
            return "this server does not answer to that host name"
        origin = headers.get("Origin")
        if origin is not None and not self._own_origin(origin, host):
            return "requests from other sites are refused"
        if changes and not self.valid(headers.get(TOKEN_HEADER, "")):
            return "the page's token is missing or wrong: reload the page"
        return None

    def _own_origin(self, origin: str, host: str) -> bool:
        try:
            parts = urlsplit(origin)
            name = parts.hostname
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null": a file, a sandboxed frame, a redirect across sites
        # The page this server served, or the public URL a proxy serves it under (a proxy may
        # pass on its own Host: 127.0.0.1).
        return parts.netloc.lower() == host.lower() or name in self.public

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]
