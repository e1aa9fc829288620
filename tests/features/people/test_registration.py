"""Register, approve, /toi: one scenario on Telegram and Zalo, over HTTP against the fakes."""

from __future__ import annotations

import re

from tests.support.harness import World


def _number(text: str) -> str:
    found = re.search(r"mã số (\d+)", text)
    assert found, text
    return found.group(1)


async def test_register_approve_and_me(world: World) -> None:
    """A collaborator registers, the officer is told and approves; /toi shows the role."""
    d = world.driver
    admin, officer, collab = d.person("Quản trị"), d.person("Cán bộ Lan"), d.person("Chị Hoa")
    await world.start(admins=[admin])
    a_chat, o_chat, c_chat = d.private(admin), d.private(officer), d.private(collab)

    greeting = await d.say(officer, o_chat, "/batdau")
    assert "🔒 Tôi lưu tên" in greeting[0]
    officer_no = _number((await d.say(officer, o_chat, "/toi"))[0])
    granted = await d.say(admin, a_chat, f"/vaitro {officer_no} canbo xa huong son")
    assert granted == [f"✅ Cán bộ Lan (#{officer_no}) là cán bộ của Xã Hương Sơn."]
    assert "Bạn được giao vai trò cán bộ của Xã Hương Sơn" in d.texts(o_chat)[-1]

    filed = await d.say(collab, c_chat, "/dangky thon son ninh")
    assert filed == [
        "Đã gửi đăng ký #1 làm cộng tác viên Thôn Sơn Ninh. Cán bộ xã sẽ duyệt; tôi sẽ báo bạn."
    ]
    assert "Chị Hoa đăng ký làm cộng tác viên Thôn Sơn Ninh" in d.texts(o_chat)[-1]
    again = await d.say(collab, c_chat, "/DangKy Thôn Sơn Ninh")
    assert "đang chờ duyệt" in again[0]

    listing = await d.say(officer, o_chat, "/duyet")
    assert "#1 Chị Hoa – Thôn Sơn Ninh, Xã Hương Sơn" in listing[0]
    approved = await d.say(officer, o_chat, "1")
    assert approved == ["✅ Đã duyệt #1: Chị Hoa là cộng tác viên Thôn Sơn Ninh."]
    assert "Đăng ký của bạn đã được duyệt" in d.texts(c_chat)[-1]

    me = (await d.say(collab, c_chat, "/toi"))[0]
    assert "• cộng tác viên: Thôn Sơn Ninh" in me
    assert "nhắn riêng cho bạn được" in me
    assert "chờ duyệt" not in me


async def test_refusals_of_role_changes(world: World) -> None:
    """A collaborator and an officer of another commune cannot change roles; the reply says why."""
    d = world.driver
    admin, officer, other, collab = (
        d.person("Quản trị"),
        d.person("Cán bộ Lan"),
        d.person("Cán bộ Minh"),
        d.person("Chị Hoa"),
    )
    await world.start(admins=[admin])
    a_chat = d.private(admin)
    numbers = {}
    for p in (officer, other, collab):
        await d.say(p, d.private(p), "/batdau")
        numbers[p.name] = _number((await d.say(p, d.private(p), "/toi"))[0])
    await d.say(admin, a_chat, f"/vaitro {numbers['Cán bộ Lan']} canbo 18133")
    await d.say(admin, a_chat, f"/vaitro {numbers['Cán bộ Minh']} can bo Phường Bắc Hồng Lĩnh")
    await d.say(admin, a_chat, f"/vaitro {numbers['Chị Hoa']} ctv 18133-01")

    by_collab = await d.say(collab, d.private(collab), f"/vaitro {numbers['Chị Hoa']} canbo 18133")
    assert by_collab == ["Lệnh /vaitro chỉ dành cho: quản trị, cán bộ."]
    by_other = await d.say(other, d.private(other), f"/vaitro {numbers['Chị Hoa']} ctv 18133-02")
    assert by_other == ["Thôn Sơn Trung không thuộc địa bàn của bạn."]
    promote = await d.say(officer, d.private(officer), f"/vaitro {numbers['Chị Hoa']} canbo 18133")
    assert "Chỉ quản trị viên mới giao được vai trò này" in promote[0]
    ok = await d.say(officer, d.private(officer), f"/vaitro {numbers['Chị Hoa']} ctv 18133-02")
    assert ok[0].startswith("✅ Chị Hoa")
    approve_other = await d.say(other, d.private(other), "/duyet 1")
    assert approve_other == ["Không có đăng ký #1. Gõ /duyet để xem danh sách."]
