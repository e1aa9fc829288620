"""A report's photo on Zalo (issue #17, section 9): Zalo's photo URLs expire, so the photo is
downloaded as its update arrives, in a private chat and in a group (where it reaches the bot
only with the mention in its caption); and a photo kept at arrival belongs to its sender, so
`people erase` removes it with the rest of theirs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli.privacy import run_people
from bot.core.clock import ManualClock
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_helpers import Team, district_team
from tests.support.harness import World, bot_environ, eventually

AT_BOT = "@Bot Dân số"
KEPT = "📷 Đã lưu ảnh kèm báo cáo."
LIFETIME = 2.0  # seconds the fake's photo URL answers (Zalo's own lifetime is not said)


async def _team_and_group(world: World) -> tuple[Team, Any]:
    """The district team, and the Zalo group of Xã Hương Sơn bound by its officer."""
    team = await district_team(world)
    group = world.fake.group("Y tế Xã Hương Sơn")
    bound = await world.driver.say(team.lan, group, f"{AT_BOT} /gannhom Xã Hương Sơn")
    assert bound[0].startswith("✅")
    return team, group


def _files(world: World) -> list[bytes]:
    """The bytes of every file the bot keeps."""
    app = world.bot.app
    assert app is not None and app.services is not None
    return [f.read_bytes() for f in app.services.files.store.root.glob("*.bin")]


@pytest.mark.virtual_time
@pytest.mark.parametrize("where", ["private", "group"])
async def test_a_reports_photo_is_kept_though_its_url_expires_right_after_arrival(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo, where: str
) -> None:
    """The report waits behind Hoa's earlier message (its reply held at Zalo) until the
    photo's URL has expired: the bot downloaded it on arrival, so the report keeps it and
    nothing asks the dead URL again."""
    world = World("zalo", fake_zalo, tmp_path, clock)
    try:
        team, group = await _team_and_group(world)
        d = world.driver
        chat = group if where == "group" else d.private(team.hoa)
        at = f"{AT_BOT} " if where == "group" else ""
        released = asyncio.Event()

        async def hold(method: str, params: dict[str, Any]) -> None:
            if method == "sendMessage" and params.get("chat_id") == chat.id:
                await released.wait()

        fake_zalo.hold = hold
        handled = world.bot.handled
        await fake_zalo.type_as(team.hoa.handle, chat, f"{at}/toi")
        await fake_zalo.wait_sent(chat, len(fake_zalo.sent(chat)) + 1)  # the answer is held
        photo = b"\xff\xd8\xff\xe0 so sinh thang 11 " + where.encode()
        url = fake_zalo.host_media(photo, ttl=LIFETIME)
        await fake_zalo.send_image_as(team.hoa.handle, chat, url, caption=f"{at}/bc sinh 2 chet 0")
        await eventually(lambda: fake_zalo.media_got(url) == [200], what="the arrival download")
        await asyncio.sleep(LIFETIME)
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            assert resp.status == 404, "the URL has expired"
        assert world.bot.handled == handled, "the report was not handled before the expiry"

        fake_zalo.hold = None
        released.set()
        await eventually(lambda: world.bot.handled >= handled + 2, what="the report")
        echo = d.texts(chat)[-1]
        assert KEPT in echo, echo
        assert fake_zalo.media_got(url) == [200, 404], "only the test asked the dead URL"
        app = world.bot.app
        assert app is not None and app.store is not None and app.services is not None
        person = app.store.people.by_account(team.hoa.key)
        assert person is not None
        (report,) = app.store.reports.latest_by_reporter(person.id)
        assert report.photo and app.services.files.store.read(report.photo) == photo
    finally:
        await world.bot.stop()


@pytest.mark.virtual_time
async def test_people_erase_removes_the_photos_kept_at_arrival(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """Hoa's photos (a report in private, a report in the group, a photo the bot could not
    use) are all kept as they arrive and all go with her erase; Bình's stay."""
    world = World("zalo", fake_zalo, tmp_path, clock)
    try:
        team, group = await _team_and_group(world)
        d = world.driver
        hoa = [b"\xff\xd8 hoa private", b"\xff\xd8 hoa group", b"\xff\xd8 hoa chat"]
        binh = b"\xff\xd8 binh private"
        sends = [
            (team.hoa, d.private(team.hoa), hoa[0], "/bc sinh 1"),
            (team.hoa, group, hoa[1], f"{AT_BOT} /bc chet 1"),
            (team.hoa, group, hoa[2], f"{AT_BOT} ảnh sổ tháng này"),
            (team.binh, d.private(team.binh), binh, "/bc sinh 3"),
        ]
        for person, chat, data, caption in sends:
            handled = world.bot.handled
            url = fake_zalo.host_media(data)
            await fake_zalo.send_image_as(person.handle, chat, url, caption=caption)
            await eventually(lambda h=handled: world.bot.handled > h, what=caption)
        kept = _files(world)
        assert all(data in kept for data in (*hoa, binh))
    finally:
        await world.bot.stop()

    config = str(tmp_path / "config.yaml")
    erased = run_people("erase", team.hoa.key, yes=True, config_path=config, environ=bot_environ())
    assert erased == 0
    await world.bot.start()  # only to read the files as the bot sees them
    try:
        left = _files(world)
        assert not any(data in left for data in hoa), "a photo of Hoa's outlived her erase"
        assert binh in left, "Bình's photo stays"
    finally:
        await world.bot.stop()
