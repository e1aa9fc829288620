"""Binding a Telegram group to an area: who may, and the anonymous-admin case."""

from __future__ import annotations

import re

from tests.support.harness import Person, World, eventually


async def _people(world: World) -> tuple[Person, ...]:
    d = world.driver
    admin, officer, other, collab, group_admin = (
        d.person("Quản trị"), d.person("Cán bộ Lan"), d.person("Cán bộ Minh"),
        d.person("Chị Hoa"), d.person("Anh Tú"),
    )  # fmt: skip
    await world.start(admins=[admin])
    for p in (officer, other, collab, group_admin):
        await d.say(p, d.private(p), "/batdau")
    ids = {}
    for p in (officer, other, collab):
        me = (await d.say(p, d.private(p), "/toi"))[0]
        ids[p.name] = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    a_chat = d.private(admin)
    await d.say(admin, a_chat, f"/vaitro {ids['Cán bộ Lan']} canbo Xã Hương Sơn")
    await d.say(admin, a_chat, f"/vaitro {ids['Cán bộ Minh']} canbo 18115")
    await d.say(admin, a_chat, f"/vaitro {ids['Chị Hoa']} ctv Thôn Sơn Ninh")
    return admin, officer, other, collab, group_admin


async def test_only_an_officer_of_the_area_who_is_group_admin_binds(tg_world: World) -> None:
    """Collaborator, group admin and officer of another commune are refused; the officer binds."""
    _, officer, other, collab, group_admin = await _people(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = fake.group(
        -1001234567890, "Nhóm y tế Xã Hương Sơn",
        admins=[officer.handle, other.handle, group_admin.handle], members=[collab.handle],
    )  # fmt: skip

    assert await d.say(collab, group, "/gannhom Xã Hương Sơn") == [
        "Lệnh /gannhom chỉ dành cho: quản trị, cán bộ."
    ]
    assert await d.say(group_admin, group, "/gannhom@DansoBot Xã Hương Sơn") == [
        "Lệnh /gannhom chỉ dành cho: quản trị, cán bộ."
    ]
    assert await d.say(other, group, "/gannhom Xã Hương Sơn") == [
        "Xã Hương Sơn không thuộc địa bàn của bạn nên bạn không gắn nhóm được."
    ]
    handled = tg_world.bot.handled
    anonymous = fake.anonymous_admin_types(group, "/gannhom Xã Hương Sơn")
    assert anonymous["from"]["id"] == 1087968824
    await eventually(lambda: tg_world.bot.handled > handled, what="the anonymous admin's command")
    assert "ẩn danh" in fake.sent(group)[-1].text

    bound = await d.say(officer, group, "/gannhom xa huong son")
    assert len(bound) == 1 and bound[0].startswith(
        "✅ Nhóm này đã gắn với Xã Hương Sơn. "
        "Văn bản và nhắc việc của Xã Hương Sơn sẽ gửi vào đây."
    )
    # Privacy mode is on and the bot is no admin here: the rumour watch says how to let it read.
    assert "/setprivacy" in bound[0]
    assert await d.say(collab, group, "/gannhom") == [
        "Lệnh /gannhom chỉ dành cho: quản trị, cán bộ."
    ]
    assert await d.say(officer, group, "/gannhom") == ["Nhóm này đang gắn với Xã Hương Sơn."]
    assert await d.say(other, group, "/gannhom Phường Bắc Hồng Lĩnh") == [
        "Nhóm này đang gắn với Xã Hương Sơn, không thuộc địa bàn của bạn."
    ]


async def test_an_officer_who_is_not_group_admin_is_refused(tg_world: World) -> None:
    """Telegram checks getChatMember: an officer without admin rights in the group cannot bind."""
    _, officer, _, _, group_admin = await _people(tg_world)
    group = tg_world.fake.group(
        -1009876543210, "Nhóm thôn", admins=[group_admin.handle], members=[officer.handle]
    )
    reply = await tg_world.driver.say(officer, group, "/gannhom Xã Hương Sơn")
    assert reply == [
        "Chỉ quản trị viên của nhóm này mới gắn nhóm được. "
        "Nhờ quản trị nhóm thêm bạn làm quản trị rồi thử lại."
    ]
    assert any(e.method.lower() == "getchatmember" for e in tg_world.fake.log.entries)


async def test_private_only_commands_are_refused_in_groups_and_other_bots_ignored(
    tg_world: World,
) -> None:
    """/vaitro in a group points to the private chat; /cmd@OtherBot and plain talk get no reply."""
    admin, _, _, collab, _ = await _people(tg_world)
    d = tg_world.driver
    # As a group admin the bot hears everything, so staying quiet is its own decision.
    group = tg_world.fake.group(
        -1005555555555, "Nhóm", admins=[admin.handle], members=[collab.handle], bot_is_admin=True
    )
    assert await d.say(admin, group, "/vaitro 3 ctv 18133-02") == [
        "Lệnh /vaitro chỉ dùng trong chat riêng với bot. Hãy mở chat riêng và gõ lại."
    ]
    assert await d.say(collab, group, "/gannhom@OtherBot Xã Hương Sơn") == []
    assert await d.say(collab, group, "/khonglenh") == []
    assert await d.say(collab, group, "chào cả nhà") == []
    assert await d.say(collab, group, "5") == []
    assert await d.say(collab, group, "/khonglenh@DansoBot") == [
        "Không có lệnh /khonglenh. Gõ /trogiup để xem các lệnh."
    ]
