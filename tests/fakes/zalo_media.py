"""Files on the fake Zalo's side: what its servers fetch for sendPhoto and sendVoice, and the
people's photos and voice notes it hosts (as Zalo's CDN does) until they expire."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from tests.fakes.loopback import monotonic
from tests.fakes.zalo_model import ApiError, hex_id

MEDIA_FETCH_TIMEOUT = 10.0  # seconds; Zalo's own is not documented
MEDIA_MAX_BYTES = 5 * 1024 * 1024  # "about 5 MB is the practical size" (section 12)


class ZaloMedia:
    """Mixed into FakeZalo, which serves `/media/{name}` by `_media` and owns the session."""

    _session: aiohttp.ClientSession | None
    media_fetches: list[tuple[str, int]]
    public_hosts: dict[str, str]
    media: dict[str, tuple[bytes, str]]
    media_expiry: dict[str, float]
    media_gets: list[tuple[str, int]]

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def host_media(
        self, data: bytes, *, mime: str = "image/jpeg", ext: str = "jpg", ttl: float | None = None
    ) -> str:
        """A URL on the fake's own host serving `data` (as Zalo's CDN serves people's photos);
        it answers 404 once `ttl` seconds (on the loop's clock) have passed, and after
        `expire_media()`, as Zalo's photo links do in time (how long they live is not said)."""
        name = f"{hex_id('media', str(len(self.media)))}.{ext}"
        self.media[name] = (data, mime)
        if ttl is not None:
            self.media_expiry[name] = monotonic() + ttl
        return f"{self.base_url}/media/{name}"

    def expire_media(self) -> None:
        self.media.clear()

    def media_got(self, url: str) -> list[int]:
        """The HTTP status of every GET of the hosted file at `url`, in order."""
        return [status for got, status in self.media_gets if got == url]

    async def fetch_media(self, url: str, mime_prefix: str) -> bytes:
        """GET `url` as Zalo's servers do for sendPhoto/sendVoice; ApiError 400 when it fails
        (no answer, not 200, not the right type, too big). Every fetch is kept in
        `media_fetches` as (url, HTTP status or 0)."""
        assert self._session is not None, "start() the fake first"
        status, target = 0, url
        for public, local in self.public_hosts.items():
            if url.startswith(public.rstrip("/") + "/"):
                target = local.rstrip("/") + url[len(public.rstrip("/")) :]
        if target == url and not url.startswith("http://127.0.0.1:"):
            target = ""  # a name that resolves nowhere: the fake's internet is loopback only
        try:
            timeout = aiohttp.ClientTimeout(total=MEDIA_FETCH_TIMEOUT)
            if not target:
                raise aiohttp.InvalidURL(url)
            async with self._session.get(target, timeout=timeout, allow_redirects=True) as resp:
                status = resp.status
                data = await resp.content.read(MEDIA_MAX_BYTES + 1)
                mime = resp.content_type
        except (aiohttp.ClientError, TimeoutError, ValueError):
            data, mime = b"", ""
        self.media_fetches.append((url, status))
        if status != 200 or not mime.startswith(mime_prefix) or not data:
            raise ApiError(400, "Bad Request: the file at the URL could not be fetched")
        if len(data) > MEDIA_MAX_BYTES:
            raise ApiError(400, "Bad Request: the file at the URL is too large")
        return data

    async def _media(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        found = self.media.get(name)
        if found is not None and monotonic() >= self.media_expiry.get(name, float("inf")):
            found = None
        url = f"{self.base_url}/media/{name}"
        self.media_gets.append((url, 404 if found is None else 200))
        if found is None:
            return web.Response(status=404, text="expired")
        return web.Response(body=found[0], content_type=found[1])
