"""A link is told to the owner of the code at once, on the account that asked, with a one-step
undo (a button on Telegram, a typed twin on Zalo); undo takes the linked account's access away
at once; both are in the audit trail; a link never carries more than the code's owner had.
One bot on Telegram and Zalo at once, over HTTP against both fakes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.features.people.link_helpers import both_platforms, code_in, number_of
from tests.support.harness import eventually

pytestmark = pytest.mark.virtual_time


async def test_owner_is_told_on_telegram_and_the_button_undoes_the_link(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    b = both_platforms(tmp_path, clock, fake_telegram, fake_zalo)
    tg, zl = b.tg, b.zl
    admin, lan, lan_zalo = tg.person("Quản trị"), tg.person("Cán bộ Lan"), zl.person("Lan Zalo")
    await b.start(admins=[admin])
    try:
        a_chat, l_chat, z_chat = tg.private(admin), tg.private(lan), zl.private(lan_zalo)
        await tg.say(admin, a_chat, "/batdau")
        await tg.say(lan, l_chat, "/batdau")
        lan_no = number_of((await tg.say(lan, l_chat, "/toi"))[0])
        await tg.say(admin, a_chat, f"/vaitro {lan_no} canbo Xã Hương Sơn")
        code = code_in((await tg.say(lan, l_chat, "/lienket"))[0])

        before = len(tg.texts(l_chat))
        done = await zl.say(lan_zalo, z_chat, f"/lienket {code[:3]} {code[3:6]}-{code[6:]}")
        assert "Đã liên kết" in done[0], done
        assert "cán bộ: Xã Hương Sơn" in (await zl.say(lan_zalo, z_chat, "/toi"))[0]
        assert not (await zl.say(lan_zalo, z_chat, "/nguoi"))[0].startswith("Lệnh /nguoi")
        await eventually(lambda: len(tg.texts(l_chat)) > before, what="the owner's notice")
        notice = fake_telegram.sent(l_chat)[-1]
        assert "Zalo" in notice.text and "Lan Zalo" in notice.text, notice.text
        ((label, data),) = notice.buttons[0]
        assert data.startswith("unlink:") and "Hủy" in label

        handled = b.bot.handled
        fake_telegram.press(lan.handle, l_chat, notice.message_id, data)
        await eventually(lambda: b.bot.handled > handled, what="the press")
        await eventually(
            lambda: any("Đã hủy liên kết" in t for t in tg.texts(l_chat)), what="the undo"
        )
        refused = (await zl.say(lan_zalo, z_chat, "/nguoi"))[0]
        assert refused.startswith("Lệnh /nguoi chỉ dành cho"), refused
        assert "cán bộ" not in (await zl.say(lan_zalo, z_chat, "/toi"))[0]
        assert any("đã bị hủy liên kết" in t for t in zl.texts(z_chat))
        handled = b.bot.handled  # a second press of a stale button changes nothing
        fake_telegram.press(lan.handle, l_chat, notice.message_id, data, strict=False)
        await eventually(lambda: b.bot.handled > handled, what="the second press")
        assert "cán bộ: Xã Hương Sơn" in (await tg.say(lan, l_chat, "/toi"))[0]

        trail = (await tg.say(admin, a_chat, "/nhatky"))[0]
        assert "· hủy liên kết tài khoản" in trail and "· liên kết tài khoản" in trail, trail
    finally:
        await b.bot.stop()


async def test_zalo_owner_undoes_by_typing_and_only_from_the_account_that_asked(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    b = both_platforms(tmp_path, clock, fake_telegram, fake_zalo)
    tg, zl = b.tg, b.zl
    admin, hoa, hoa_tg = tg.person("Quản trị"), zl.person("Chị Hoa"), tg.person("Hoa Telegram")
    await b.start(admins=[admin])
    try:
        a_chat, h_chat, t_chat = tg.private(admin), zl.private(hoa), tg.private(hoa_tg)
        await zl.say(hoa, h_chat, "/batdau")
        hoa_no = number_of((await zl.say(hoa, h_chat, "/toi"))[0])
        await tg.say(admin, a_chat, f"/vaitro {hoa_no} ctv Thôn Sơn Ninh")
        code = code_in((await zl.say(hoa, h_chat, "/lienket"))[0])
        before = len(zl.texts(h_chat))
        assert "Đã liên kết" in (await tg.say(hoa_tg, t_chat, f"/lienket {code}"))[0]
        assert "cộng tác viên: Thôn Sơn Ninh" in (await tg.say(hoa_tg, t_chat, "/toi"))[0]
        await eventually(lambda: len(zl.texts(h_chat)) > before, what="the owner's notice")
        notice = zl.texts(h_chat)[-1]
        assert "Telegram" in notice and "Hoa Telegram" in notice, notice
        typed = re.search(r"«(/lienket huy \d+)»", notice)
        assert typed, notice

        not_here = (await tg.say(hoa_tg, t_chat, typed.group(1)))[0]
        assert "tài khoản đã lấy mã" in not_here, not_here
        assert "Đã hủy liên kết" in (await zl.say(hoa, h_chat, typed.group(1)))[0]
        assert "cộng tác viên" not in (await tg.say(hoa_tg, t_chat, "/toi"))[0]
        assert "đã hủy" in (await zl.say(hoa, h_chat, typed.group(1)))[0]
        assert "cộng tác viên: Thôn Sơn Ninh" in (await zl.say(hoa, h_chat, "/toi"))[0]
    finally:
        await b.bot.stop()


async def test_a_linked_account_is_not_a_config_admin(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """Config admins are accounts: the admin's linked Zalo account gets no admin rights."""
    b = both_platforms(tmp_path, clock, fake_telegram, fake_zalo)
    tg, zl = b.tg, b.zl
    admin, admin_zalo = tg.person("Quản trị"), zl.person("Quản trị Zalo")
    await b.start(admins=[admin])
    try:
        a_chat, z_chat = tg.private(admin), zl.private(admin_zalo)
        code = code_in((await tg.say(admin, a_chat, "/lienket"))[0])
        assert "Đã liên kết" in (await zl.say(admin_zalo, z_chat, f"/lienket {code}"))[0]
        refused = (await zl.say(admin_zalo, z_chat, "/nhatky"))[0]
        assert refused.startswith("Lệnh /nhatky chỉ dành cho"), refused
        assert (await tg.say(admin, a_chat, "/nhatky"))[0].startswith("Nhật ký")
    finally:
        await b.bot.stop()


async def test_a_role_holder_typing_someone_elses_code_gives_them_nothing(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """An officer (and then a config admin) tricked into typing a stranger's code: refused with
    the right way round, and the stranger gets nothing."""
    b = both_platforms(tmp_path, clock, fake_telegram, fake_zalo)
    tg, zl = b.tg, b.zl
    admin, lan, mallory = tg.person("Quản trị"), tg.person("Cán bộ Lan"), zl.person("Kẻ lạ")
    await b.start(admins=[admin])
    try:
        a_chat, l_chat, m_chat = tg.private(admin), tg.private(lan), zl.private(mallory)
        await tg.say(lan, l_chat, "/batdau")
        lan_no = number_of((await tg.say(lan, l_chat, "/toi"))[0])
        await tg.say(admin, a_chat, f"/vaitro {lan_no} canbo Xã Hương Sơn")
        code = code_in((await zl.say(mallory, m_chat, "/lienket"))[0])
        refused = (await tg.say(lan, l_chat, f"/lienket {code}"))[0]
        assert "có vai trò riêng" in refused, refused
        assert (await zl.say(mallory, m_chat, "/nguoi"))[0].startswith("Lệnh /nguoi chỉ dành cho")
        assert "cán bộ: Xã Hương Sơn" in (await tg.say(lan, l_chat, "/toi"))[0]

        code = code_in((await zl.say(mallory, m_chat, "/lienket"))[0])
        assert "có vai trò riêng" in (await tg.say(admin, a_chat, f"/lienket {code}"))[0]
        assert (await zl.say(mallory, m_chat, "/nhatky"))[0].startswith("Lệnh /nhatky chỉ dành")
        me = (await zl.say(mallory, m_chat, "/toi"))[0]
        assert "Telegram" not in me, "neither account joined the stranger's person"
    finally:
        await b.bot.stop()
