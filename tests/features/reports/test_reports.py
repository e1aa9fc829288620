"""Field reports end to end on Telegram and Zalo: report, echo, guard, correct, retract, views."""

from __future__ import annotations

import io
import re
from typing import Any

import aiohttp
import openpyxl

from bot.core.clock import ManualClock
from tests.support.harness import Person, World, eventually


async def _team(world: World, **config: Any) -> tuple[Person, Person, Person]:
    """An admin, an officer of Xã Hương Sơn, and the collaborator of Thôn Sơn Ninh."""
    d = world.driver
    admin, officer, collab = d.person("Quản trị"), d.person("Cán bộ Lan"), d.person("Chị Hoa")
    await world.start(admins=[admin], **config)
    numbers = {}
    for p in (officer, collab):
        await d.say(p, d.private(p), "/batdau")
        me = (await d.say(p, d.private(p), "/toi"))[0]
        numbers[p.name] = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    a_chat = d.private(admin)
    await d.say(admin, a_chat, f"/vaitro {numbers['Cán bộ Lan']} canbo Xã Hương Sơn")
    await d.say(admin, a_chat, f"/vaitro {numbers['Chị Hoa']} ctv Thôn Sơn Ninh")
    return admin, officer, collab


async def test_report_echo_guard_correct_retract_and_views(world: World) -> None:
    """What a collaborator types every week, and what the officer sees of it."""
    _, officer, collab = await _team(world)
    d = world.driver
    c_chat, o_chat = d.private(collab), d.private(officer)

    saved = (await d.say(collab, c_chat, "/bc Sinh: 2, Chết: 1, Chuyển đến: 3"))[0]
    assert saved.splitlines() == [
        "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026:",
        "• Sinh: 2",
        "• Chết: 1",
        "• Chuyển đến: 3",
    ]
    guard = (await d.say(collab, c_chat, "/baocao sinh=2 chet=1 chuyen den=3"))[0]
    assert guard.startswith("Bạn vừa gửi đúng báo cáo này cho Thôn Sơn Ninh")
    assert await d.say(collab, c_chat, "không") == ["Đã bỏ, không lưu lần thứ hai."]

    fixed = (await d.say(collab, c_chat, "/sua chet 2"))[0]
    assert (
        fixed.splitlines()[0]
        == "✏️ Đã sửa báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026 (lần 2):"
    )
    assert "• Chết: 2" in fixed and "• Sinh: 2" in fixed

    bad = (await d.say(collab, c_chat, "/bc sinh 2 chet abc"))[0]
    assert "/baocao" in bad, "every error shows a correct example"
    other = await d.say(collab, c_chat, "/bc thon son trung sinh 1")
    assert other == [
        "Bạn không phụ trách Thôn Sơn Trung, nên không báo cáo cho thôn này được. "
        "Bạn phụ trách: Thôn Sơn Ninh."
    ]
    by_officer = (await d.say(officer, o_chat, "/bc sinh 1 thon son trung"))[0]
    assert by_officer.startswith(
        "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Trung, tháng 11/2026"
    )

    mine = (await d.say(collab, c_chat, "/cuatoi"))[0]
    assert mine.splitlines() == [
        "Báo cáo gần đây của bạn (1):",
        "• Số 1 (08:00): Biến động dân số, Thôn Sơn Ninh, tháng 11/2026 – Sinh 2, Chết 2, "
        "Chuyển đến 3",
        "Sửa một báo cáo: /sua <số> <mục> <số mới>, ví dụ /sua 1 sinh 3. Hủy: /huybaocao <số>.",
    ]
    assert (await d.say(officer, o_chat, "/thieu"))[0].startswith(
        "✅ Tất cả thôn của Xã Hương Sơn"
    )

    retracted = (await d.say(collab, c_chat, "/huybaocao"))[0]
    assert retracted.startswith("🗑 Đã hủy báo cáo Biến động dân số – Thôn Sơn Ninh")
    assert (await d.say(collab, c_chat, "/cuatoi")) == ["Kỳ này bạn chưa có báo cáo nào."]
    missing = (await d.say(officer, o_chat, "/thieu"))[0]
    assert missing.splitlines() == [
        "1 thôn của Xã Hương Sơn chưa báo cáo Biến động dân số tháng 11/2026:",
        "• Thôn Sơn Ninh: Chị Hoa",
    ]


async def test_a_collaborator_cannot_report_without_a_village_nor_see_missing(
    world: World,
) -> None:
    """Roles from ids: a newcomer cannot report, a collaborator cannot ask /thieu."""
    _, _, collab = await _team(world)
    d = world.driver
    stranger = d.person("Người lạ")
    refused = await d.say(stranger, d.private(stranger), "/bc sinh 1")
    assert refused == ["Lệnh /baocao chỉ dành cho: quản trị, cộng tác viên, cán bộ."]
    assert (await d.say(collab, d.private(collab), "/thieu")) == [
        "Lệnh /thieu chỉ dành cho: quản trị, cán bộ, giám sát."
    ]


async def test_step_by_step_form_with_buttons_or_typed_answers(world: World) -> None:
    """/baocao alone asks field by field; Telegram answers by keypad, Zalo by typing."""
    _, _, collab = await _team(world)
    d = world.driver
    chat = d.private(collab)
    first = (await d.say(collab, chat, "/baocao thaisan"))[0]
    assert first.startswith("📝 Thôn Sơn Ninh, tháng 11/2026 – câu 1/3: Phụ nữ có thai?")
    if world.platform == "telegram":
        question = world.fake.sent(chat)[-1]
        # The buttons name the form's owner, then the form and the question they belong to.
        own = question.buttons[0][0][1].removesuffix(":d:1")
        assert own.startswith(f"form:{collab.handle.id}#")
        assert question.buttons[0] == (
            ("1", f"{own}:d:1"),
            ("2", f"{own}:d:2"),
            ("3", f"{own}:d:3"),
        )
        assert question.buttons[3] == (
            ("⌫", f"{own}:back"),
            ("0", f"{own}:d:0"),
            ("✔ OK", f"{own}:ok"),
        )
        assert not any("Bỏ qua" in label for row in question.buttons for label, _ in row)
        for key in ("d:1", "d:5", "back", "d:2", "ok"):
            data = f"{own}:{key}"
            handled = world.bot.handled
            world.fake.press(collab.handle, chat, question.message_id, data)
            await eventually(lambda h=handled: world.bot.handled > h, what=f"the press {data}")
        assert "→ 12" in world.fake.sent(chat)[-2].text, "the number is shown as it is built"
        second = d.texts(chat)[-1]
    else:
        assert "Gõ «1»" not in first, "no keypad noise where people type numbers"
        assert (await d.say(collab, chat, "bỏ qua"))[0].startswith(
            "«Phụ nữ có thai» là chỉ tiêu bắt buộc"
        )
        second = (await d.say(collab, chat, "12"))[0]
    assert second.startswith("📝 Thôn Sơn Ninh, tháng 11/2026 – câu 2/3: Sàng lọc trước sinh?")
    too_big = (await d.say(collab, chat, "1000"))[0]
    assert too_big.startswith("«1000» không dùng được cho mục «Sàng lọc trước sinh»")
    assert (await d.say(collab, chat, "bỏ qua"))[0].startswith(
        "📝 Thôn Sơn Ninh, tháng 11/2026 – câu 3/3"
    )
    summary = (await d.say(collab, chat, "không"))[0]
    assert summary.splitlines()[1:4] == [
        "1. Phụ nữ có thai: 12",
        "2. Sàng lọc trước sinh: (bỏ qua)",
        "3. Sàng lọc sơ sinh: 0",
    ]
    done = (await d.say(collab, chat, "lưu"))[0]
    assert done.splitlines() == [
        "✅ Đã lưu báo cáo Thai sản và sàng lọc – Thôn Sơn Ninh, tháng 11/2026:",
        "• Phụ nữ có thai: 12",
        "• Sàng lọc sơ sinh: 0",
    ]


async def test_export_in_chat_sends_the_spreadsheet_or_a_signed_link(world: World) -> None:
    """/xuat: a document on Telegram; on Zalo a link, bound to the officer, serving the file."""
    _, officer, collab = await _team(world, public_base_url="https://bot.example.org")
    d = world.driver
    await d.say(collab, d.private(collab), "/bc sinh 2, chet 1")
    await d.say(officer, d.private(officer), "/bc thon son trung sinh 1")
    reply = (await d.say(officer, d.private(officer), "/xuat thang 11 Xã Hương Sơn"))[0]
    assert reply.startswith("📊 Bảng báo cáo Xã Hương Sơn, tháng 11/2026: 2 dòng.")
    if world.platform == "telegram":
        document = world.fake.sent(d.private(officer))[-1].document
        assert document is not None and document["file_name"] == "bao-cao-18133-2026-11.xlsx"
        data = world.fake.file_bytes(document["file_id"])
    else:
        url = re.search(r"https://bot\.example\.org(/f/\S+)", reply)
        assert url, reply
        port = world.bot.app.web_port  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}{url.group(1)}") as resp:
                assert resp.status == 200
                data = await resp.read()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    villages = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert villages == ["Thôn Sơn Ninh", "Thôn Sơn Trung"]
    refused = await d.say(collab, d.private(collab), "/xuat")
    assert refused == ["Lệnh /xuat chỉ dành cho: quản trị, cán bộ, giám sát."]


async def test_telegram_edit_reply_and_photo_correct_and_keep(tg_world: World) -> None:
    """Editing the report message corrects it; /sua as a reply corrects that one; photos stay."""
    _, officer, collab = await _team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = fake.group(
        -1002002002, "Nhóm Hương Sơn", admins=[officer.handle], members=[collab.handle]
    )
    before = tg_world.bot.handled
    first = fake.type_as(collab.handle, group, "/bc sinh 2, chet 1")
    await eventually(lambda: len(fake.sent(group)) == 1, what="the echo")
    # The echo is sent before the update counts as handled: wait for both, or the next say()
    # could take this one's completion for its own.
    await eventually(lambda: tg_world.bot.handled > before, what="the first report handled")
    second = await d.say(collab, group, "/bc ket hon 1")
    assert second[0].startswith("✅ Đã lưu báo cáo Biến động dân số")

    handled = tg_world.bot.handled
    fake.edit_as(collab.handle, group, first["message_id"], "/bc sinh 3, chet 1")
    await eventually(lambda: tg_world.bot.handled > handled, what="the edit")
    edited = fake.sent(group)[-1].text
    assert edited.splitlines()[0].startswith("✏️ Đã sửa báo cáo Biến động dân số – Thôn Sơn Ninh")
    assert "• Sinh: 3" in edited and "• Chết: 1" in edited

    fixed = await d.say(collab, group, "/sua chet 0", reply_to=first["message_id"])
    assert "• Chết: 0" in fixed[0] and "(lần 3)" in fixed[0]
    mine = (await d.say(collab, d.private(collab), "/cuatoi"))[0]
    assert "Sinh 3, Chết 0" in mine and "Kết hôn 1" in mine

    photo = await d.say(
        collab, d.private(collab), "", photo=b"\x89PNG fake image", caption="/bc sinh 1"
    )
    assert "📷 Đã lưu ảnh kèm báo cáo." in photo[0]
    app = tg_world.bot.app
    assert app is not None and app.services is not None and app.store is not None
    person = app.store.people.by_account(collab.key)
    reports = app.store.reports.latest_by_reporter(person.id, limit=10)  # type: ignore[union-attr]
    assert {r.area_name for r in reports} == {"Thôn Sơn Ninh"}  # the name when written
    with_photo = [r for r in reports if r.photo]
    assert len(with_photo) == 1 and with_photo[0].values == {"sinh": 1}
    assert app.services.files.store.read(with_photo[0].photo) == b"\x89PNG fake image"


async def test_a_form_left_unanswered_expires_with_a_note(
    world: World, clock: ManualClock
) -> None:
    """Past its time the form is dropped and the person told; a late answer stores nothing."""
    _, _, collab = await _team(world)
    d = world.driver
    chat = d.private(collab)
    await d.say(collab, chat, "/baocao thaisan")
    clock.advance(minutes=29)
    app = world.bot.app
    assert app is not None
    assert await app.sweep_prompts() == 0
    clock.advance(minutes=2)
    assert await app.sweep_prompts() == 1
    assert d.texts(chat)[-1].startswith("⌛ Chị Hoa: câu hỏi của bot đã hết hạn")
    assert (await d.say(collab, chat, "4"))[0].startswith("Tôi không có câu hỏi nào")
    assert (await d.say(collab, chat, "/cuatoi")) == ["Kỳ này bạn chưa có báo cáo nào."]


async def test_two_forms_in_one_group_do_not_mix(tg_world: World) -> None:
    """Two collaborators fill forms in the same group; a press on the other's keypad is refused."""
    admin, officer, hoa = await _team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    lan = d.person("Chị Lan")
    await d.say(lan, d.private(lan), "/batdau")
    me = (await d.say(lan, d.private(lan), "/toi"))[0]
    number = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    await d.say(admin, d.private(admin), f"/vaitro {number} ctv Thôn Sơn Trung")
    group = fake.group(
        -1003003003, "Nhóm", admins=[officer.handle], members=[hoa.handle, lan.handle]
    )
    await d.say(hoa, group, "/baocao thaisan")
    hoa_question = fake.sent(group)[-1]
    await d.say(lan, group, "/baocao thaisan")
    lan_question = fake.sent(group)[-1]
    # Each keypad names its owner, form and question: "form:<owner>#<form>.<question>".
    hoa_tag = hoa_question.buttons[0][0][1].removesuffix(":d:1")
    lan_tag = lan_question.buttons[0][0][1].removesuffix(":d:1")
    assert hoa_tag.startswith(f"form:{hoa.handle.id}#")
    assert lan_tag.startswith(f"form:{lan.handle.id}#")

    async def press(person: Person, message_id: int, data: str) -> None:
        handled = tg_world.bot.handled
        fake.press(person.handle, group, message_id, data)
        await eventually(lambda: tg_world.bot.handled > handled, what=data)

    await press(lan, hoa_question.message_id, f"{hoa_tag}:d:9")
    assert fake.callback_answers[-1]["text"].startswith("Đây là phiếu của người khác")
    await press(hoa, hoa_question.message_id, f"{hoa_tag}:d:3")
    await press(lan, lan_question.message_id, f"{lan_tag}:d:5")
    await press(hoa, hoa_question.message_id, f"{hoa_tag}:ok")
    hoa_now = next(m for m in fake.sent(group) if m.message_id == hoa_question.message_id)
    assert "→ 3" in hoa_now.text
    assert fake.sent(group)[-1].text.startswith("📝 Thôn Sơn Ninh, tháng 11/2026 – câu 2/3")
    await press(lan, lan_question.message_id, f"{lan_tag}:ok")
    assert fake.sent(group)[-1].text.startswith("📝 Thôn Sơn Trung, tháng 11/2026 – câu 2/3")
