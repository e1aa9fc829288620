"""Register, approve, /toi: scenarios on Telegram (buttons) and Zalo (typed numbers and twins),
over HTTP against the fakes, on a tree where "Tổ dân phố 4" is in two wards."""

from __future__ import annotations

from tests.features.people.registration_helpers import (
    choose,
    number_in,
    officer,
    option,
    press,
    tree,
)
from tests.support.harness import World


async def test_register_approve_and_me(world: World) -> None:
    """A collaborator registers, the officer is told and approves; /toi shows the role."""
    d = world.driver
    admin, officer, collab = d.person("Quản trị"), d.person("Cán bộ Lan"), d.person("Chị Hoa")
    await world.start(admins=[admin])
    a_chat, o_chat, c_chat = d.private(admin), d.private(officer), d.private(collab)

    await d.say(officer, o_chat, "/batdau")
    officer_no = number_in((await d.say(officer, o_chat, "/toi"))[0])
    granted = await d.say(admin, a_chat, f"/vaitro {officer_no} canbo xa huong son")
    assert granted == [f"✅ Cán bộ Lan (#{officer_no}) là cán bộ của Xã Hương Sơn."]
    assert "Bạn được giao vai trò cán bộ của Xã Hương Sơn" in d.texts(o_chat)[-1]

    filed = await d.say(collab, c_chat, "/dangky thon son ninh")
    assert filed == [
        "Đã gửi đăng ký #1 làm cộng tác viên Thôn Sơn Ninh, Xã Hương Sơn. Cán bộ xã sẽ duyệt; "
        "tôi sẽ báo bạn."
    ]
    assert "Chị Hoa đăng ký làm cộng tác viên Thôn Sơn Ninh, Xã Hương Sơn" in d.texts(o_chat)[-1]
    again = await d.say(collab, c_chat, "/DangKy Thôn Sơn Ninh")
    assert "đang chờ duyệt" in again[0]

    listing = await d.say(officer, o_chat, "/duyet")
    assert "#1 Chị Hoa – Thôn Sơn Ninh, Xã Hương Sơn" in listing[0]
    assert "Trang 1/" not in listing[0], "one page needs no page numbers"
    approved = await d.say(officer, o_chat, "1")
    assert approved == ["✅ Đã duyệt #1: Chị Hoa là cộng tác viên Thôn Sơn Ninh."]
    assert "Đăng ký của bạn đã được duyệt" in d.texts(c_chat)[-1]

    me = (await d.say(collab, c_chat, "/toi"))[0]
    assert "• cộng tác viên: Thôn Sơn Ninh" in me
    assert "nhắn riêng cho bạn được" in me
    assert "chờ duyệt" not in me


async def test_choose_commune_then_village_wait_and_be_approved_on_the_notice(
    world: World,
) -> None:
    """/dangky alone offers the wards, then the chosen ward's villages (number buttons on
    Telegram, typed numbers on Zalo); /baocao while waiting says so; the officer approves on
    the notice (a button on Telegram, the typed twin on Zalo)."""
    d = world.driver
    admin, mai = d.person("Quản trị"), d.person("Chị Mai")
    await world.start(admins=[admin], extra={"areas": tree()})
    lan = await officer(world, admin, "Cán bộ Lan", "Phường Bắc Hồng Lĩnh")
    chat, o_chat = d.private(mai), d.private(lan)

    communes = (await d.say(mai, chat, "/dangky"))[0]
    assert communes.startswith("Bạn làm cộng tác viên ở xã/phường nào? Trả lời bằng số:\n")
    wards = ("Phường Bắc Hồng Lĩnh", "Xã Hương Sơn", "Phường Nam Hồng Lĩnh")
    assert [option(communes, w) for w in wards] == [1, 2, 3]
    # The example is a line of this deployment's own tree, never a made-up name.
    assert "ví dụ: /dangky Tổ dân phố Trung Lương, Phường Bắc Hồng Lĩnh" in communes
    if world.platform == "telegram":
        assert world.fake.sent(chat)[-1].buttons == ((("1", "rg:18115"), ("2", "rg:18133"),
                                                       ("3", "rg:18118")),)  # fmt: skip
    villages = (await choose(world, mai, chat, "Phường Bắc Hồng Lĩnh"))[0]
    assert villages.startswith(
        "Bạn làm cộng tác viên ở thôn/tổ dân phố nào của Phường Bắc Hồng Lĩnh? Trả lời bằng số:"
    )
    assert option(villages, "Tổ dân phố 4") == 3
    if world.platform == "zalo":
        assert villages.endswith("👉 Gõ «0»: ◀ Chọn xã khác")
    filed = await choose(world, mai, chat, "Tổ dân phố 4")
    assert filed == [
        "Đã gửi đăng ký #1 làm cộng tác viên Tổ dân phố 4, Phường Bắc Hồng Lĩnh. Cán bộ xã sẽ "
        "duyệt; tôi sẽ báo bạn."
    ]

    waiting = await d.say(mai, chat, "/baocao sinh 1")
    assert waiting == [
        "Đăng ký làm cộng tác viên Tổ dân phố 4, Phường Bắc Hồng Lĩnh của bạn đang chờ duyệt "
        "(gửi lúc 08:00 23/11/2026). Người duyệt: Cán bộ Lan. Khi được duyệt, tôi sẽ báo và bạn "
        "gửi báo cáo được ngay."
    ]

    notice = d.texts(o_chat)[-1]
    assert notice.startswith(
        "🆕 Chị Mai đăng ký làm cộng tác viên Tổ dân phố 4, Phường Bắc Hồng Lĩnh (đăng ký #1)."
    )
    if world.platform == "telegram":
        message = world.fake.sent(o_chat)[-1]
        assert message.buttons == ((("✅ Duyệt", "ap:ok:1"), ("✖ Từ chối", "ap:no:1")),)
        done = await press(world, lan, o_chat, message.message_id, "ap:ok:1")
        pressed = next(m for m in world.fake.sent(o_chat) if m.message_id == message.message_id)
        assert pressed.buttons == (), "a decided notice keeps no buttons"
    else:
        assert "👉 Gõ «duyet 1»: ✅ Duyệt\n👉 Gõ «duyet 1 khong»: ✖ Từ chối" in notice
        done = await d.say(lan, o_chat, "duyet 1")
    assert done == ["✅ Đã duyệt #1: Chị Mai là cộng tác viên Tổ dân phố 4."]
    assert d.texts(chat)[-1].startswith("✅ Đăng ký của bạn đã được duyệt")
    reported = (await d.say(mai, chat, "/baocao sinh 1"))[0]
    assert "chờ duyệt" not in reported and "chỉ dành cho" not in reported


async def test_village_and_commune_on_one_line_or_the_commune_asked(world: World) -> None:
    """ "village, commune" on one line files at once (with or without the comma and the
    diacritics); a name two wards share asks the ward first; an unknown name says so and
    offers the wards; the way back and a name typed at a question work too."""
    d = world.driver
    hoa, tu, nga, binh = (d.person(n) for n in ("Chị Hoa", "Anh Tú", "Chị Nga", "Anh Bình"))
    await world.start(admins=[], extra={"areas": tree()})

    one_line = await d.say(hoa, d.private(hoa), "/dangky Tổ dân phố 4, Bắc Hồng Lĩnh")
    assert one_line[0].startswith(
        "Đã gửi đăng ký #1 làm cộng tác viên Tổ dân phố 4, Phường Bắc Hồng Lĩnh."
    )
    no_comma = await d.say(tu, d.private(tu), "/dangky to dan pho 4 nam hong linh")
    assert no_comma[0].startswith(
        "Đã gửi đăng ký #2 làm cộng tác viên Tổ dân phố 4, Phường Nam Hồng Lĩnh."
    )

    chat = d.private(nga)
    asked = (await d.say(nga, chat, "/dangky to dan pho 4"))[0]
    assert asked.startswith("«to dan pho 4» có ở 2 xã/phường. Bạn ở xã/phường nào?")
    assert [option(asked, w) for w in ("Phường Bắc Hồng Lĩnh", "Phường Nam Hồng Lĩnh")] == [1, 2]
    assert "Xã Hương Sơn" not in asked and "Tổ dân phố 4" not in asked.split("\n", 1)[1]
    filed = await choose(world, nga, chat, "Phường Nam Hồng Lĩnh")
    assert filed[0].startswith(
        "Đã gửi đăng ký #3 làm cộng tác viên Tổ dân phố 4, Phường Nam Hồng Lĩnh."
    )

    chat = d.private(binh)
    close = (await d.say(binh, chat, "/dangky Thôn Trung Lương 1"))[0]
    assert close == (
        "Không có thôn nào đúng tên «Thôn Trung Lương 1». Có phải thôn này không? Trả lời 1 để "
        "chọn, hoặc gõ lại tên:\n1. Tổ dân phố Trung Lương – Phường Bắc Hồng Lĩnh"
    ), "a name that only looks like one is confirmed, never guessed"
    unknown = (await d.say(binh, chat, "/dangky Thôn Đông Xá"))[0]
    assert unknown.startswith("Không tìm thấy thôn «Thôn Đông Xá».\nBạn làm cộng tác viên")
    assert "ví dụ: /dangky Tổ dân phố Trung Lương, Phường Bắc Hồng Lĩnh" in unknown
    villages = (await choose(world, binh, chat, "Phường Nam Hồng Lĩnh"))[0]
    assert option(villages, "Tổ dân phố 5") == 2
    if world.platform == "telegram":
        back = await press(world, binh, chat, world.fake.sent(chat)[-1].message_id, "rg:-")
    else:
        back = await d.say(binh, chat, "0")
    assert back[0].startswith("Bạn làm cộng tác viên ở xã/phường nào?")
    assert (await d.say(binh, chat, "9"))[0] == (
        "Vui lòng trả lời một số từ 1 đến 3, hoặc /huy để thoát."
    )
    typed = await d.say(binh, chat, "son trung huong son")
    assert typed[0].startswith("Đã gửi đăng ký #4 làm cộng tác viên Thôn Sơn Trung, Xã Hương Sơn.")


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
        numbers[p.name] = number_in((await d.say(p, d.private(p), "/toi"))[0])
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
