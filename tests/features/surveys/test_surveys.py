"""Surveys end to end: preview and confirm, a native poll on Telegram and numbered typed answers
on Zalo, results per commune in /tinhtrang ks<n> and in the export's survey sheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import openpyxl

from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually

ASK = "/khaosat Xã đã tổ chức họp dân về tiêm HPV chưa? | Đã họp | Chưa họp | Đang chuẩn bị"
QUESTION = "Xã đã tổ chức họp dân về tiêm HPV chưa?"


def _poll(world: World, chat: Any) -> dict[str, Any] | None:
    found = [m.raw["poll"] for m in world.fake.sent(chat) if "poll" in m.raw]
    return found[-1] if found else None


async def _vote(world: World, who: Any, poll: dict[str, Any], options: list[int]) -> None:
    handled = world.bot.handled
    world.fake.poll_answer(who, poll["id"], options)
    await eventually(lambda: world.bot.handled > handled, what="the vote to be handled")


async def test_survey_preview_answers_and_results(world: World) -> None:
    """Telegram gets native polls (group and private), Zalo numbered text answered by typing;
    /tinhtrang ks1 counts per option and commune and names who has not answered."""
    team = await district_team(world)
    d, fake = world.driver, world.fake
    tg = world.platform == "telegram"
    group = None
    if tg:
        group = bind_huong_son_group(world, team)
        await d.say(team.lan, group, "/gannhom Xã Hương Sơn")
    r_chat = d.private(team.region)

    refused = await d.say(team.hoa, d.private(team.hoa), ASK)
    assert refused == ["Lệnh /khaosat chỉ dành cho: quản trị, cán bộ."]
    usage = (await d.say(team.region, r_chat, "/khaosat Có họp không?"))[0]
    assert usage.startswith("Cách gửi khảo sát") and "| Đã họp | Chưa họp" in usage
    assert (await d.say(team.region, r_chat, "/khaosat")) == [
        "Chưa có khảo sát nào. Gửi bằng /khaosat câu hỏi | lựa chọn | lựa chọn"
    ]
    preview = (await d.say(team.region, r_chat, ASK))[0]
    assert preview.startswith("📝 Xem trước khảo sát gửi tới Trung tâm Y tế khu vực Hồng Lĩnh:")
    assert f"{QUESTION}\n1. Đã họp\n2. Chưa họp\n3. Đang chuẩn bị" in preview
    if tg:
        assert "• Telegram: 1 nhóm, 1 người nhắn riêng" in preview
        assert "bình chọn (poll) của Telegram: 2 tin" in preview
    else:
        assert "• Zalo: 0 nhóm, 4 người nhắn riêng" in preview
        assert "Hạn mức Zalo (zalo1): tốn 4 tin" in preview
    assert (await d.say(team.region, r_chat, "/huy")) == ["Đã bỏ khảo sát chưa gửi."]
    assert (await d.say(team.region, r_chat, "/xacnhan"))[0].startswith("Không có thông báo")
    await d.say(team.region, r_chat, ASK)
    queued = (await d.say(team.region, r_chat, "/xacnhan"))[0]
    assert queued.startswith("Đã xếp gửi khảo sát KS1 (") and "/tinhtrang ks1" in queued

    if tg:
        assert group is not None
        await eventually(lambda: _poll(world, group) is not None, what="the group's poll")
        await eventually(lambda: _poll(world, d.private(team.binh)) is not None, what="Bình's")
        poll = _poll(world, group)
        assert poll is not None and poll["question"] == f"KS1: {QUESTION}"
        assert [o["text"] for o in poll["options"]] == ["Đã họp", "Chưa họp", "Đang chuẩn bị"]
        assert poll["is_anonymous"] is False, "each vote must name its voter"
        assert _poll(world, d.private(team.hoa)) is None, "Hoa is asked in her group"
        await _vote(world, team.hoa.handle, poll, [0])
        await _vote(world, team.hoa.handle, poll, [1])  # she changes her mind
        await _vote(world, team.tu.handle, poll, [0])
        await _vote(world, team.tu.handle, poll, [])  # and Tú takes his vote back
        stranger = fake.user(555001, "Người lạ")
        await _vote(world, stranger, poll, [0])  # a group member the bot does not know
        binh_poll = _poll(world, d.private(team.binh))
        assert binh_poll is not None
        await _vote(world, team.binh.handle, binh_poll, [2])
    else:
        for p in (team.hoa, team.tu, team.binh, team.lan):
            await eventually(lambda p=p: any("Khảo sát KS1" in t for t in d.texts(d.private(p))),
                             what=f"{p.name}'s copy")  # fmt: skip
        copy = next(t for t in d.texts(d.private(team.hoa)) if "Khảo sát KS1" in t)
        assert "Từ: Cán bộ Khu vực" in copy and "1. Đã họp\n2. Chưa họp" in copy
        assert "👉 Trả lời: gõ «ks1 <số>», ví dụ «ks1 1»" in copy
        hoa = d.private(team.hoa)
        assert await d.say(team.hoa, hoa, "ks1 1") == [
            "✅ Đã ghi nhận trả lời khảo sát KS1: «Đã họp». Cảm ơn!"
        ]
        assert await d.say(team.hoa, hoa, "KS1: 2") == [
            "✅ Đã đổi trả lời khảo sát KS1 thành «Chưa họp»."
        ]
        binh = d.private(team.binh)
        assert await d.say(team.binh, binh, "ks 1 9") == [
            "Khảo sát KS1 có 3 lựa chọn. Gõ ví dụ «ks1 1»."
        ]
        await d.say(team.binh, binh, "khảo sát 1 đang chuẩn bị")  # by the option's words
    # A typed answer works on every platform (on Telegram Lan got no poll privately).
    assert await d.say(team.lan, d.private(team.lan), "ks1 1") == [
        "✅ Đã ghi nhận trả lời khảo sát KS1: «Đã họp». Cảm ơn!"
    ]

    results = (await d.say(team.region, r_chat, "/tinhtrang ks1"))[0]
    lines = results.splitlines()
    assert lines[0].startswith("📊 Khảo sát KS1, gửi ") and lines[1] == QUESTION
    answers = 4 if tg else 3
    assert f"· {answers} trả lời ·" in results
    assert "người được hỏi đã trả lời 3/4" in results
    hs = next(i for i, line in enumerate(lines) if line.startswith("• Xã Hương Sơn"))
    if tg:
        assert "1. Đã họp: 2 (50%)" in results  # Lan and the stranger in the group
        assert lines[hs] == "• Xã Hương Sơn: 3 trả lời: Đã họp 2 · Chưa họp 1"
    else:
        assert "1. Đã họp: 1 (33%)" in results
        assert lines[hs] == "• Xã Hương Sơn: 2 trả lời: Đã họp 1 · Chưa họp 1"
    assert lines[hs + 1].strip() == "chưa trả lời: Anh Tú"
    assert "• Phường Bắc Hồng Lĩnh: 1 trả lời: Đang chuẩn bị 1" in results
    listed = (await d.say(team.region, r_chat, "/khaosat ds"))[0]
    assert f"• KS1 (23/11/2026 08:00): {QUESTION} – {answers} trả lời" in listed
    outsider = await d.say(team.lan, d.private(team.lan), "/tinhtrang ks7")
    assert outsider == ["Không có khảo sát KS7."]

    app = world.bot.app
    assert app is not None and app.services is not None
    area = app.services.areas.get("R1")
    nov = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC))
    sheet = app.services.surveys.sheet(area, *nov)
    assert sheet is not None and sheet.title == "Khảo sát"
    if tg:
        exported = (await d.say(team.region, r_chat, "/xuat"))[0]
        assert exported.startswith("📊 Bảng báo cáo Trung tâm Y tế khu vực Hồng Lĩnh")
        document = fake.sent(r_chat)[-1].document
        book = openpyxl.load_workbook(io.BytesIO(fake.file_bytes(document["file_id"])))
        rows = list(book["Khảo sát"].iter_rows(min_row=2, values_only=True))
        assert rows[0] == sheet.codes
        assert (1, QUESTION, "18133", "Xã Hương Sơn", "Đã họp", 2) in [
            (r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows[1:]
        ]
