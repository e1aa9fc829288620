"""End to end over real HTTP: signed download links on an aiohttp server; platform downloads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot.core.clock import ManualClock
from bot.core.messages import Attachment, Incoming
from bot.core.platform import BadRequest, RetryLater
from bot.delivery.file_store import FileLinks, FileStore, StoredFile
from bot.delivery.link_signing import LinkSigner
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.platforms.zalo.files import fetch_attachment
from bot.platforms.zalo.transport import ZaloPlatform
from bot.web.downloads import file_routes
from tests.fakes.loopback import LoopbackServer
from tests.fakes.telegram_api import FakeTelegram
from tests.support.harness import TG_TOKEN

KEY = b"s" * 32
REPORT_NAME = "Báo cáo đợt 1 - Xã Kỳ Anh.pdf"


class Site:
    """A web server with only the file routes, plus what a test needs to make links."""

    def __init__(self, store: FileStore, signer: LinkSigner, server: LoopbackServer) -> None:
        self.store = store
        self.signer = signer
        self.links = FileLinks(store, signer, public_base_url=server.base_url)
        self.server = server

    def url(self, stored: StoredFile, *, person: int, ttl: timedelta = timedelta(hours=1)) -> str:
        url = self.links.url_for(stored.id, person=person, ttl=ttl)
        assert url is not None
        return url


@pytest.fixture
async def site(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Site]:
    store = FileStore.in_data_dir(tmp_path, clock=clock)
    signer = LinkSigner(KEY, clock=clock)
    app = web.Application()
    app.add_routes(file_routes(store, signer))
    server = LoopbackServer(app)
    await server.start()
    yield Site(store, signer, server)
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def fetch(
    http: aiohttp.ClientSession, url: str, **kw: Any
) -> tuple[int, bytes, dict[str, str]]:
    async with http.get(url, **kw) as resp:
        return resp.status, await resp.read(), dict(resp.headers)


def with_token(url: str, token: str) -> str:
    parts = urlsplit(url).path.split("/")
    parts[2] = token
    return url.split("/f/")[0] + "/".join(parts)


async def test_link_serves_until_expiry_then_410(
    site: Site, http: aiohttp.ClientSession, clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """The link serves the bytes with type and name until it expires, then answers 410."""
    stored = site.store.put(b"%PDF-1.7 report", name=REPORT_NAME, mime="application/pdf", owner=7)
    url = site.url(stored, person=7, ttl=timedelta(minutes=30))
    caplog.set_level(logging.INFO, logger="bot.web.downloads")
    status, body, headers = await fetch(http, url)
    assert status == 200 and body == b"%PDF-1.7 report"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "private, no-store"
    clock.advance(minutes=29)
    assert (await fetch(http, url))[0] == 200
    clock.advance(minutes=1)
    status, body, headers = await fetch(http, url)
    assert status == 410 and "hết hạn" in body.decode() and "Traceback" not in body.decode()
    assert headers["Content-Type"].startswith("text/html")
    outcomes = [r.getMessage() for r in caplog.records if r.name == "bot.web.downloads"]
    assert outcomes[0] == f"file link: file={stored.id} person=7 outcome=served"
    assert outcomes[-1] == f"file link: file={stored.id} person=7 outcome=expired"
    token = urlsplit(url).path.split("/")[2]
    assert not any(token in m for m in outcomes)  # the token itself is never logged


async def test_token_alone_works_without_the_name(site: Site, http: aiohttp.ClientSession) -> None:
    """/f/<token> serves the same file as /f/<token>/<name>, whatever the name segment says."""
    stored = site.store.put(b"abc", name="a.txt", mime="text/plain", owner=1)
    url = site.url(stored, person=1)
    short = url.rsplit("/", 1)[0]
    assert (await fetch(http, short))[:2] == (200, b"abc")
    assert (await fetch(http, short + "/renamed.exe"))[:2] == (200, b"abc")


async def test_forged_tokens_are_refused_with_403(
    site: Site, http: aiohttp.ClientSession, clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Re-signing for another person or file with a wrong key, or editing the person, gives 403."""
    mine = site.store.put(b"mine", name="mine.txt", owner=1)
    theirs = site.store.put(b"theirs", name="theirs.txt", owner=2)
    url = site.url(mine, person=1)
    wrong = LinkSigner(b"w" * 32, clock=clock)
    caplog.set_level(logging.INFO, logger="bot.web.downloads")
    forged = [
        with_token(url, wrong.sign(mine.id, person=2, ttl=timedelta(hours=1))),
        with_token(url, wrong.sign(theirs.id, person=1, ttl=timedelta(hours=1))),
        with_token(url, urlsplit(url).path.split("/")[2].replace(".1.", ".2.")),
        with_token(url, "garbage"),
    ]
    for bad in forged:
        status, body, _ = await fetch(http, bad)
        assert status == 403 and b"theirs" not in body and b"mine" not in body
        assert "không hợp lệ" in body.decode()
    refused = [r.getMessage() for r in caplog.records if "outcome=refused" in r.getMessage()]
    assert len(refused) == len(forged)


async def test_link_to_a_purged_file_is_403(
    site: Site, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A genuine link whose file was purged is refused with 403, not a server error."""
    stored = site.store.put(b"gone soon", name="a.txt", owner=1)
    url = site.url(stored, person=1, ttl=timedelta(days=3))
    clock.advance(days=1)
    assert site.store.purge(before=clock.now()) == 1
    status, body, _ = await fetch(http, url)
    assert status == 403 and b"gone soon" not in body


async def test_vietnamese_name_survives_in_content_disposition(
    site: Site, http: aiohttp.ClientSession
) -> None:
    """filename* carries the exact UTF-8 name; documents are attachments, photos inline."""
    doc = site.store.put(b"pdf", name=REPORT_NAME, mime="application/pdf", owner=1)
    _, _, headers = await fetch(http, site.url(doc, person=1))
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(REPORT_NAME, safe='')}" in disposition
    assert 'filename="Bao cao dot 1 - Xa Ky Anh.pdf"' in disposition
    photo = site.store.put(b"\xff\xd8jpeg", name="ảnh hiện trường.jpg", mime="image/jpeg", owner=1)
    _, _, headers = await fetch(http, site.url(photo, person=1))
    assert headers["Content-Disposition"].startswith("inline;")
    svg = site.store.put(b"<svg/>", name="x.svg", mime="image/svg+xml", owner=1)
    _, _, headers = await fetch(http, site.url(svg, person=1))
    assert headers["Content-Disposition"].startswith("attachment;")  # script could run inline


async def test_range_request_is_answered(site: Site, http: aiohttp.ClientSession) -> None:
    """Phones resuming a download get 206 with the asked bytes."""
    stored = site.store.put(b"0123456789", name="a.bin", owner=1)
    status, body, _ = await fetch(http, site.url(stored, person=1), headers={"Range": "bytes=2-4"})
    assert (status, body) == (206, b"234")


# --- platform downloads --------------------------------------------------------------------


async def test_telegram_document_is_downloaded_through_getfile(
    fake_telegram: FakeTelegram,
) -> None:
    """A document a user sends arrives as an attachment whose bytes the platform downloads."""
    got: asyncio.Queue[Incoming] = asyncio.Queue()
    platform = TelegramPlatform(
        token=TG_TOKEN, api_base_url=fake_telegram.base_url, poll_timeout=5
    )
    await platform.start(got.put)
    try:
        user = fake_telegram.user(21, "Hoa")
        data = bytes(range(256)) * 40
        fake_telegram.type_as(user, fake_telegram.private(user), document=(REPORT_NAME, data))
        incoming = await asyncio.wait_for(got.get(), 5)
        (attachment,) = incoming.attachments
        assert attachment.kind == "document" and attachment.name == REPORT_NAME
        assert await platform.download(attachment) == data
        assert fake_telegram.log.calls("getFile")
        with pytest.raises(BadRequest):
            await platform.download(Attachment("document", file_id="no-such-file"))
        with pytest.raises(BadRequest, match="more than"):
            await platform.download(Attachment("document", file_id="x", size=21 * 1024 * 1024))
    finally:
        await platform.close()


@pytest.fixture
async def image_host() -> AsyncIterator[LoopbackServer]:
    async def image(_: web.Request) -> web.Response:
        return web.Response(body=b"\xff\xd8zalo-photo", content_type="image/jpeg")

    async def busy(_: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/photo.jpg", image)
    app.router.add_get("/busy.jpg", busy)
    server = LoopbackServer(app)
    await server.start()
    yield server
    await server.stop()


async def test_zalo_image_url_is_downloaded(image_host: LoopbackServer) -> None:
    """ZaloPlatform fetches a photo attachment's URL; missing, refused and big files fail typed."""
    platform = ZaloPlatform(name="zalo1", token="1:tok")
    try:
        photo = Attachment("photo", url=f"{image_host.base_url}/photo.jpg")
        assert await platform.download(photo) == b"\xff\xd8zalo-photo"
        with pytest.raises(BadRequest, match="404"):
            await platform.download(Attachment("photo", url=f"{image_host.base_url}/none.jpg"))
        with pytest.raises(RetryLater):
            await platform.download(Attachment("photo", url=f"{image_host.base_url}/busy.jpg"))
        with pytest.raises(BadRequest):
            await platform.download(Attachment("photo", url="file:///etc/passwd"))
        with pytest.raises(BadRequest, match="more than 4"):
            await fetch_attachment(photo, max_bytes=4)
    finally:
        await platform.close()
