"""Directives end to end: preview, confirm, reach, acknowledgement in every form, status."""

from __future__ import annotations

from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually

TEXT = "Họp giao ban dân số lúc 8:00 thứ Hai tại trạm y tế xã."


def _has_directive(world: World, chat: object, number: int) -> bool:
    return any(f"Thông báo số {number}" in t for t in world.driver.texts(chat))


async def test_preview_confirm_reach_and_acknowledge(world: World) -> None:
    team = await district_team(world)
    d = world.driver
    group = None
    if world.platform == "telegram":
        group = bind_huong_son_group(world, team)
        assert (await d.say(team.lan, group, "/gannhom Xã Hương Sơn"))[0].startswith("✅")
    r_chat = d.private(team.region)

    preview = (await d.say(team.region, r_chat, f"/chithi all: {TEXT} han 30/11"))[0]
    assert preview.startswith("📝 Xem trước thông báo gửi tới Trung tâm Y tế khu vực Hồng Lĩnh:")
    assert TEXT in preview and "⏰ Hạn: 30/11/2026 17:00" in preview
    assert "Cần xác nhận đã nhận: 4 người." in preview
    if world.platform == "telegram":
        # The group covers Lan, Hoa and Tú; only Bình (another commune) is written to privately.
        assert "• Telegram: 1 nhóm, 1 người nhắn riêng" in preview
    else:
        assert "• Zalo: 0 nhóm, 4 người nhắn riêng" in preview
        assert "Hạn mức Zalo (zalo1): tốn 4 tin" in preview
    assert not any(_has_directive(world, d.private(p), 1) for p in (team.hoa, team.binh))

    queued = (await d.say(team.region, r_chat, "/xacnhan"))[0]
    assert queued.startswith("Đã xếp gửi thông báo số 1")
    await eventually(lambda: _has_directive(world, d.private(team.binh), 1), what="Bình's copy")
    if world.platform == "telegram":
        assert group is not None
        await eventually(lambda: _has_directive(world, group, 1), what="the group's copy")
        copy = next(m for m in world.fake.sent(group) if "📢 Thông báo số 1" in m.text)
        assert copy.buttons == ((("✅ Đã nhận (0/3)", "ack:1"),),)
        await eventually(lambda: bool(world.fake.pinned(group)), what="the pin")
        assert world.fake.pinned(group)[0].message_id == copy.message_id
        # Hoa and Tú are in the group: no private copy for them.
        assert not _has_directive(world, d.private(team.hoa), 1)

        handled = world.bot.handled
        world.fake.press(team.hoa.handle, group, copy.message_id, "ack:1")
        await eventually(lambda: world.bot.handled > handled, what="the press")
        await eventually(
            lambda: (
                world.fake.sent(group)[0].buttons != copy.buttons
                and _button(world, group, copy.message_id) == "✅ Đã nhận (1/3)"
            ),
            what="the count on the button",
        )
        reply = await d.say(team.tu, group, "ok 1", reply_to=copy.message_id)
        assert reply == ["✅ Đã ghi nhận Anh Tú đã nhận thông báo số 1. Cảm ơn!"]
        await eventually(
            lambda: _button(world, group, copy.message_id) == "✅ Đã nhận (2/3)",
            what="the second count",
        )
    else:
        for p in (team.hoa, team.tu, team.lan):
            await eventually(lambda p=p: _has_directive(world, d.private(p), 1), what=p.name)
        hoa_copy = next(t for t in d.texts(d.private(team.hoa)) if "📢 Thông báo số 1" in t)
        assert "👉 Gõ «ok 1»: ✅ Đã nhận" in hoa_copy, "Zalo has no buttons: the typed twin"
        assert await d.say(team.hoa, d.private(team.hoa), "ok 1") == [
            "✅ Đã ghi nhận Chị Hoa đã nhận thông báo số 1. Cảm ơn!"
        ]
        assert await d.say(team.tu, d.private(team.tu), "Đã nhận 1") == [
            "✅ Đã ghi nhận Anh Tú đã nhận thông báo số 1. Cảm ơn!"
        ]
    binh = await d.say(team.binh, d.private(team.binh), "đã nhận")
    assert binh == ["✅ Đã ghi nhận Anh Bình đã nhận thông báo số 1. Cảm ơn!"]
    again = await d.say(team.binh, d.private(team.binh), "/danhan 1")
    assert again == ["Bạn đã xác nhận thông báo số 1 rồi, cảm ơn."]

    status = (await d.say(team.region, r_chat, "/tinhtrang 1"))[0]
    lines = status.splitlines()
    assert lines[0].startswith("📊 Thông báo số 1, gửi ")
    assert "Đã nhận 3/4 người (75%)" in status
    hs = next(line for line in lines if line.startswith("• Xã Hương Sơn"))
    assert "đã nhận 2/3" in hs
    assert "chưa nhận: Cán bộ Lan" in status
    bhl = next(line for line in lines if line.startswith("• Phường Bắc Hồng Lĩnh"))
    assert "nhắn riêng 1/1" in bhl and "đã nhận 1/1" in bhl
    if world.platform == "telegram":
        assert "Nhóm đã xác nhận: 1/1" in status and "nhóm 1/1 ✅" in hs

    await d.say(team.lan, d.private(team.lan), "/danhan 1")
    status = (await d.say(team.region, r_chat, "/tinhtrang 1"))[0]
    assert "Đã nhận 4/4 người (100%)" in status and "chưa nhận" not in status


def _button(world: World, chat: object, message_id: int) -> str:
    message = next(m for m in world.fake.sent(chat) if m.message_id == message_id)
    return message.buttons[0][0][0] if message.buttons else ""


async def test_who_may_send_and_where(world: World) -> None:
    """A collaborator cannot send; a commune officer cannot target another commune."""
    team = await district_team(world)
    d = world.driver
    refused = await d.say(team.hoa, d.private(team.hoa), f"/chithi all: {TEXT}")
    assert refused == ["Lệnh /chithi chỉ dành cho: quản trị, cán bộ."]
    outside = await d.say(team.lan, d.private(team.lan), f"/chithi Phường Bắc Hồng Lĩnh: {TEXT}")
    assert outside == [
        "Bạn chỉ gửi thông báo được trong địa bàn của mình; Phường Bắc Hồng Lĩnh nằm ngoài."
    ]
    assert await d.say(team.lan, d.private(team.lan), "/xacnhan") == [
        "Không có thông báo nào đang chờ xác nhận. Gửi thông báo bằng /chithi."
    ]
    usage = (await d.say(team.lan, d.private(team.lan), "/chithi họp giao ban"))[0]
    assert usage.startswith("Cách gửi thông báo:") and "/chithi all:" in usage
    mine = (await d.say(team.lan, d.private(team.lan), f"/chithi all: {TEXT}"))[0]
    assert mine.startswith("📝 Xem trước thông báo gửi tới Xã Hương Sơn:")
    assert await d.say(team.lan, d.private(team.lan), "/huy") == ["Đã bỏ thông báo chưa gửi."]
    assert await d.say(team.lan, d.private(team.lan), "/xacnhan") == [
        "Không có thông báo nào đang chờ xác nhận. Gửi thông báo bằng /chithi."
    ]
    assert (await d.say(team.hoa, d.private(team.hoa), "/tinhtrang 1")) == [
        "Lệnh /tinhtrang chỉ dành cho: quản trị, cán bộ, giám sát."
    ]


async def test_button_presses_by_a_stranger_and_twice(tg_world: World) -> None:
    """A press is answered on the presser's screen: unregistered people are told why and
    nothing is recorded; a second press changes no count."""
    team = await district_team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    stranger = d.person("Khách")
    group = bind_huong_son_group(tg_world, team)
    fake.chats[group.id].members.add(stranger.handle.id)
    await d.say(team.lan, group, "/gannhom Xã Hương Sơn")
    await d.say(team.lan, d.private(team.lan), f"/chithi all: {TEXT}")
    await d.say(team.lan, d.private(team.lan), "/xacnhan")
    await eventually(lambda: _has_directive(tg_world, group, 1), what="the group's copy")
    copy = next(m for m in fake.sent(group) if "📢 Thông báo số 1" in m.text)
    assert copy.buttons == ((("✅ Đã nhận (0/2)", "ack:1"),),), "Lan sent it: Hoa and Tú"

    async def press(person: object) -> str:
        handled = tg_world.bot.handled
        fake.press(person.handle, group, copy.message_id, "ack:1")  # type: ignore[attr-defined]
        await eventually(lambda: tg_world.bot.handled > handled, what="a press")
        return str(fake.callback_answers[-1]["text"])

    assert (await press(stranger)).startswith("Bạn chưa đăng ký nên chưa xác nhận được.")
    assert await press(team.hoa) == "✅ Đã ghi nhận bạn đã nhận thông báo số 1. Cảm ơn!"
    assert await press(team.hoa) == "Bạn đã xác nhận thông báo số 1 rồi, cảm ơn."
    assert await press(team.lan) == "Thông báo số 1 không gửi tới bạn nên không cần bạn xác nhận."
    await eventually(lambda: _button(tg_world, group, copy.message_id) == "✅ Đã nhận (1/2)")
    status = (await d.say(team.lan, d.private(team.lan), "/tinhtrang 1"))[0]
    assert "Đã nhận 1/2 người (50%)" in status and "chưa nhận: Anh Tú" in status
    assert not any(t for t in fake.sent(group) if "Khách" in t.text), "nothing said in the group"
