"""A photo goes to Zalo as a signed link to the bot's own web server, and Zalo fetches it.

Over real HTTP: the bot's file routes on loopback, the transport, and the fake Zalo, which
fetches every sendPhoto URL as Zalo's servers do. A wrong public base URL fails the send, and
Zalo's fetch is not recorded as the recipient's download in the access log.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.core.messages import ChatKind, ChatRef, Outgoing
from bot.core.models import OutboxFile
from bot.core.platform import BadRequest, Capabilities
from bot.delivery.attachments import file_for_chat
from bot.delivery.file_store import FileLinks, FileStore
from bot.delivery.link_signing import LinkSigner
from bot.web.downloads import file_routes
from tests.fakes.loopback import LoopbackServer
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import Sink

JPEG = b"\xff\xd8\xff\xe0 a photo of the clinic"


class Caps:
    """What file_for_chat asks of the delivery: the platform's capabilities."""

    def __init__(self, caps: Capabilities) -> None:
        self._caps = caps

    def caps(self, chat: ChatRef) -> Capabilities:
        return self._caps


class Site:
    """The bot's web server with only the file routes; `served` records the access log."""

    def __init__(self, tmp_path: Path) -> None:
        self.files = FileStore.in_data_dir(tmp_path)
        self.signer = LinkSigner(b"k" * 32)
        self.served: list[tuple[str, int]] = []
        app = web.Application()
        app.add_routes(
            file_routes(self.files, self.signer, served=lambda f, p: self.served.append((f, p)))
        )
        self.server = LoopbackServer(app)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    site = Site(tmp_path)
    await site.server.start()
    yield site
    await site.server.stop()


async def _send(site: Site, platform: Any, chat: ChatRef, kind: str, base: str) -> None:
    stored = site.files.put(JPEG, name="phong-kham.jpg", mime="image/jpeg", owner=7)
    links = FileLinks(site.files, site.signer, public_base_url=base)
    file = OutboxFile(stored.id, stored.name, kind, stored.mime)
    delivery: Any = Caps(platform.caps)
    out = file_for_chat(site.files, links, delivery, file, chat, person=7)
    assert out is not None and out.url is not None
    await platform.send(Outgoing(chat, "Ảnh phòng khám", file=out))


async def test_zalo_fetches_the_signed_photo_link(
    fake: FakeZalo, running: Any, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """Zalo fetches the link itself; that fetch is no download by the recipient. A link the
    recipient opens (a document, sent as text) is recorded as theirs."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    caplog.set_level(logging.INFO, logger="bot.web.downloads")
    await _send(site, platform, chat, "photo", site.server.base_url)
    (photo,) = fake.sent(fake.private(lan))
    assert photo.kind == "photo" and photo.photo.startswith(f"{site.server.base_url}/f/")
    assert fake.media_fetches == [(photo.photo, 200)]
    assert site.served == []  # Zalo's fetch is not Lan's download
    assert "outcome=fetched by the platform" in caplog.text
    # The mark is signed: moved to a person's link (or off a platform one) the link is refused.
    forged = photo.photo.replace("/f/v1p.", "/f/v1.")
    async with aiohttp.ClientSession() as http, http.get(forged) as resp:
        assert resp.status == 403
    await _send(site, platform, chat, "document", site.server.base_url)
    document = fake.sent(fake.private(lan))[-1]
    link = document.text.split("\n")[-1]
    async with aiohttp.ClientSession() as http, http.get(link) as resp:
        assert resp.status == 200 and await resp.read() == JPEG
    assert [person for _, person in site.served] == [7]


async def test_a_wrong_public_base_url_fails_the_photo_send(
    fake: FakeZalo, running: Any, site: Site
) -> None:
    """A public base URL Zalo cannot reach fails the send: nothing 'sent' that never arrives."""
    platform = await running(Sink())
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    chat = ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)
    with pytest.raises(BadRequest):
        await _send(site, platform, chat, "photo", "http://127.0.0.1:9/bot")
    with pytest.raises(BadRequest):  # the right host, a wrong path prefix
        await _send(site, platform, chat, "photo", f"{site.server.base_url}/bot")
    assert fake.sent(fake.private(lan)) == [] and fake.quota_used() == 0
