"""The bot as a real process, killed with SIGKILL and restarted: nothing acknowledged is lost."""

from __future__ import annotations

import re

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import (
    TG_TOKEN,
    ZALO_TOKEN,
    BotProcess,
    ReplyWaiter,
    TelegramDriver,
    ZaloDriver,
    bot_environ,
    eventually,
    write_config,
)

pytestmark = pytest.mark.slow


def _number(text: str) -> str:
    found = re.search(r"mã số (\d+)", text)
    assert found, text
    return found.group(1)


async def _zalo_polling(fake: FakeZalo, since: int) -> None:
    """Until the bot process polls Zalo anew: with `offline_loss`, what a person sends before
    that is lost, as one source says real Zalo does (webhooks are the production mode)."""
    bot = fake.bots[ZALO_TOKEN]
    await eventually(lambda: bot.polls_started > since, timeout=30, what="the bot to poll Zalo")


# Contested [X]: Zalo keeps what is sent while the bot is down, or loses it; both must hold.
@pytest.mark.parametrize("offline_loss", [False, True], ids=["zalo-kept", "zalo-lost"])
async def test_sigkill_keeps_people_roles_registrations_groups_and_links(
    tmp_path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo, offline_loss: bool
) -> None:
    """After kill -9 and a restart, /toi, /duyet and /gannhom show everything done before."""
    fake_zalo.offline_loss = offline_loss
    tg = TelegramDriver(fake_telegram, None)  # type: ignore[arg-type]
    zl = ZaloDriver(fake_zalo, None)  # type: ignore[arg-type]
    admin, officer, collab, pending = (
        tg.person("Quản trị"), tg.person("Cán bộ Lan"), tg.person("Chị Hoa"), zl.person("Anh Nam")
    )  # fmt: skip
    collab_zalo = zl.person("Chị Hoa Zalo")
    config = write_config(
        tmp_path, admins=[admin.key], telegram_url=fake_telegram.base_url,
        zalo_url=fake_zalo.base_url,
    )  # fmt: skip
    bot = BotProcess(config, bot_environ())
    t, z = ReplyWaiter(tg), ReplyWaiter(zl)
    await bot.start()
    try:
        await _zalo_polling(fake_zalo, 0)
        a_chat, o_chat, c_chat = tg.private(admin), tg.private(officer), tg.private(collab)
        await t.say(officer, o_chat, "/batdau")
        officer_no = _number((await t.say(officer, o_chat, "/toi"))[0])
        await t.say(admin, a_chat, f"/vaitro {officer_no} canbo Xã Hương Sơn", replies=1)
        await eventually(lambda: len(tg.texts(o_chat)) >= 3, what="the officer's role notice")
        await t.say(collab, c_chat, "/dangky Thôn Sơn Ninh")
        await z.say(pending, zl.private(pending), "/dangky Thôn Sơn Trung")
        await eventually(lambda: len(tg.texts(o_chat)) >= 5, what="two registration notices")
        assert "✅ Đã duyệt #1" in (await t.say(officer, o_chat, "/duyet 1"))[0]
        group = fake_telegram.group(
            -1001111111111, "Nhóm Hương Sơn", admins=[officer.handle], members=[collab.handle]
        )
        assert "✅ Nhóm này đã gắn" in (await t.say(officer, group, "/gannhom 18133"))[0]
        asked = (await t.say(collab, c_chat, "/lienket"))[0]
        code = re.search(r"/lienket ([\d ]+\d)", asked).group(1)  # type: ignore[union-attr]
        assert (
            "Đã liên kết"
            in (await z.say(collab_zalo, zl.private(collab_zalo), f"/lienket {code}"))[0]
        )

        await bot.kill()
        polls = fake_zalo.bots[ZALO_TOKEN].polls_started
        await bot.start()
        await _zalo_polling(fake_zalo, polls)

        me = (await z.say(collab_zalo, zl.private(collab_zalo), "/toi"))[0]
        assert "cộng tác viên: Thôn Sơn Ninh" in me
        assert "Telegram (Chị Hoa)" in me and "Zalo (Chị Hoa Zalo)" in me
        officer_me = (await t.say(officer, o_chat, "/toi"))[0]
        assert "cán bộ: Xã Hương Sơn" in officer_me
        listing = (await t.say(officer, o_chat, "/duyet"))[0]
        assert "#2 Anh Nam – Thôn Sơn Trung" in listing and "#1" not in listing
        assert (await t.say(officer, group, "/gannhom"))[
            0
        ] == "Nhóm này đang gắn với Xã Hương Sơn."
    finally:
        await bot.stop()
    log = bot.stderr()
    assert "bot started" in log
    for secret in (TG_TOKEN, ZALO_TOKEN, TG_TOKEN.split(":")[1], ZALO_TOKEN.split(":")[1]):
        assert secret not in log
