"""PTB's HTTP requests over aiohttp instead of httpx: the same calls at a fraction of the CPU.

Under load (25 groups answered at once) httpx/httpcore cost more than everything else the bot
does for a report: httpcore looks at every pooled connection, with a system call for each idle
one, twice per request. aiohttp (already the web server's library) keeps idle connections in a
queue and parses HTTP in C. Behaviour follows PTB's HTTPXRequest: form-encoded parameters, or
multipart when files go up; timeouts map to TimedOut, other transport errors to NetworkError.
"""

from __future__ import annotations

import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _tls() -> ssl.SSLContext:
    """Certificates as httpx (and so PTB) checked them: certifi's bundle, else the system's."""
    try:
        import certifi  # httpx needs it, so it is there wherever PTB is
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _seconds(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _total(*parts: float | None) -> float | None:
    """aiohttp has no write timeout: the whole call gets the sum of its phases' limits."""
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


class AiohttpRequest(BaseRequest):
    """A BaseRequest over one aiohttp session (made in initialize, closed in shutdown)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=_tls()),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / NO_PROXY and the like, as httpx honoured them; looked up once per host
        (aiohttp's own trust_env would read ~/.netrc in a thread on every request)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(key[1]):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            msg = "This AiohttpRequest is not initialized!"
            raise RuntimeError(msg)
        files = request_data.multipart_data if request_data else None
        params = request_data.json_parameters if request_data else None
        read = _seconds(read_timeout, self._read)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        write = _seconds(write_timeout, self._media_write if files else self._write)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        data: Any = params or None
        if files:
            # Raw UTF-8 file names, as httpx (PTB's default) sends them: aiohttp would otherwise
            # percent-encode "Kế hoạch.pdf" and Telegram would show the encoded name.
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (params or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            data = form
        try:
            async with session.request(
                method, url, data=data, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # asyncio.TimeoutError and aiohttp's timeouts alike
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # Never the URL: it holds the bot token.
            text = str(err).replace(url, urlsplit(url).netloc)
            raise NetworkError(f"aiohttp.{type(err).__name__}: {text}") from err
