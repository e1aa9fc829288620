"""Zalo's file URLs expire: photos and voice notes are kept when their update arrives.

Over real HTTP against the fake, whose people's photos live on its own host until
`expire_media()`. Also: voice and link events parse, and sendVoice is `.aac` to private chats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.clock import ManualClock
from bot.delivery.file_store import FileStore
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import TOKEN, Sink
from tests.support.harness import World, eventually

JPEG = b"\xff\xd8\xff\xe0 the clinic's register"
AAC = b"\xff\xf1 a voice note"


async def test_a_photo_is_kept_on_arrival_and_read_after_its_url_expired(
    fake: FakeZalo, running: Any, tmp_path: Path
) -> None:
    """The photo is in the file store before the core has the update; after Zalo's URL
    expired, and after a restart (a replayed update, a new transport), it still downloads."""
    files = FileStore.in_data_dir(tmp_path)
    sink = Sink()
    await running(sink, keeper=files)
    lan = fake.user("Lan")
    url = fake.host_media(JPEG)
    await fake.send_image_as(lan, None, url, caption="sổ tháng 11")
    (got,) = await sink.wait()
    (photo,) = got.attachments
    assert (photo.kind, photo.url, photo.size) == ("photo", url, len(JPEG))
    fake.expire_media()
    restarted = await running(Sink(), keeper=files)  # the update replayed from the inbox
    assert await restarted.download(photo) == JPEG
    assert got.text == "sổ tháng 11"


async def test_a_photo_that_cannot_be_fetched_still_arrives(
    fake: FakeZalo, running: Any, tmp_path: Path
) -> None:
    """An expired URL at arrival holds nothing up: the update arrives with its URL."""
    files = FileStore.in_data_dir(tmp_path)
    sink = Sink()
    await running(sink, keeper=files)
    lan = fake.user("Lan")
    url = fake.host_media(JPEG)
    fake.expire_media()
    await fake.send_image_as(lan, None, url)
    (got,) = await sink.wait()
    assert got.attachments[0].url == url and not got.attachments[0].file_id


async def test_voice_and_link_events_parse(fake: FakeZalo, running: Any, tmp_path: Path) -> None:
    """A voice note arrives as a kept `voice` attachment; a shared link as its text or URL."""
    files = FileStore.in_data_dir(tmp_path)
    sink = Sink()
    platform = await running(sink, keeper=files)
    lan = fake.user("Lan")
    await fake.send_voice_as(lan, None, fake.host_media(AAC, mime="audio/aac", ext="aac"))
    await fake.send_link_as(lan, None, "https://moh.gov.vn/tin")
    await fake.send_link_as(lan, None, "https://moh.gov.vn/a", text="xem tin này")
    voice, link, described = await sink.wait(3)
    assert (voice.text, voice.attachments[0].kind) == ("", "voice")
    fake.expire_media()
    assert await platform.download(voice.attachments[0]) == AAC
    assert (link.text, link.attachments) == ("https://moh.gov.vn/tin", ())
    assert described.text == "xem tin này"


@pytest.mark.parametrize(
    ("where", "name", "refused"),
    [("private", "a.aac", False), ("private", "a.mp3", True), ("group", "a.aac", True)],
)
async def test_send_voice_is_aac_to_private_chats_only(
    fake: FakeZalo, where: str, name: str, refused: bool
) -> None:
    """The fake refuses what Zalo documents it cannot deliver (section 12)."""
    lan = fake.user("Lan")
    group = fake.group("Nhóm Sơn Ninh")
    await fake.type_as(lan, None, "chào")
    chat_id = lan.id if where == "private" else group.id
    url = fake.host_media(AAC, mime="audio/aac", ext=name.rsplit(".", 1)[1])
    async with aiohttp.ClientSession() as http:
        body = {"chat_id": chat_id, "voice_url": url}
        async with http.post(f"{fake.base_url}/bot{TOKEN}/sendVoice", json=body) as resp:
            answer = await resp.json()
    assert answer["ok"] is not refused, answer


async def test_the_running_bot_keeps_a_zalo_photo_in_its_file_store(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """Wired in the app: the photo is in `<data_dir>/files` once the update is taken in, so
    an update replayed from the inbox after a restart still has its file."""
    world = World("zalo", fake_zalo, tmp_path, clock)
    hoa = world.driver.person("Chị Hoa")
    await world.start(admins=[])
    try:
        await fake_zalo.wait_polling()
        url = fake_zalo.host_media(JPEG)
        await fake_zalo.send_image_as(hoa.handle, None, url, caption="/toi")
        await eventually(lambda: bool(fake_zalo.sent(fake_zalo.private(hoa.handle))))
        fake_zalo.expire_media()
        app = world.bot.app
        assert app is not None and app.services is not None
        files = app.services.files.store
        kept = [f for f in files.root.glob("*") if f.read_bytes() == JPEG]
        assert len(kept) == 1
    finally:
        await world.bot.stop()
