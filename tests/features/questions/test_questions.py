"""Questions from the field end to end: /hoi to the officers of the area, /traloi back to the
asker (and the group), saved as a handbook note, and escalation up the tree on the test's clock."""

from __future__ import annotations

from bot.app.runtime import App
from bot.core.clock import ManualClock
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually

QUESTION = "Trẻ sốt 3 ngày, phát ban thì có cần báo trạm y tế không?"
ANSWER = "Có, báo ngay cho trạm y tế xã và đưa trẻ đi khám."


def _has(world: World, chat: object, marker: str) -> bool:
    return any(marker in t for t in world.driver.texts(chat))


def _app(world: World) -> App:
    app = world.bot.app
    assert app is not None and app.services is not None
    return app


async def test_ask_answer_and_save_as_a_note(world: World) -> None:
    """Hoa asks (in her commune's group on Telegram, privately on Zalo); Lan, the commune's
    officer, is told, answers, and the answer reaches Hoa and the group; then it is a note."""
    team = await district_team(world)
    d = world.driver
    tg = world.platform == "telegram"
    where = d.private(team.hoa)
    if tg:
        where = bind_huong_son_group(world, team)
        await d.say(team.lan, where, "/gannhom Xã Hương Sơn")
    lan_chat = d.private(team.lan)

    asked = await d.say(team.hoa, where, f"/hoi {QUESTION}")
    assert asked == [
        "✅ Đã gửi câu hỏi số 1 tới 1 cán bộ của Xã Hương Sơn. Có trả lời tôi sẽ báo bạn."
    ]
    await eventually(lambda: _has(world, lan_chat, "Câu hỏi số 1"), what="Lan's copy")
    copy = next(m for m in world.fake.sent(lan_chat) if "Câu hỏi số 1" in m.text)
    assert copy.text.startswith(f"❓ Câu hỏi số 1\nTừ: Chị Hoa (Thôn Sơn Ninh)\n{QUESTION}")
    if tg:
        assert copy.buttons == ((("✍️ Trả lời", "qans:1"),),)
    else:
        assert "👉 Gõ «/traloi 1 <nội dung>»: ✍️ Trả lời" in copy.text, "the typed twin"
    assert not _has(world, d.private(team.region), "Câu hỏi số 1"), "the region waits its turn"

    listed = (await d.say(team.lan, lan_chat, "/traloi"))[0]
    assert listed.startswith("❓ Câu hỏi đang chờ trả lời (1):\n• Số 1 – Chị Hoa (Thôn Sơn Ninh)")
    sent = (await d.say(team.lan, lan_chat, f"/traloi #1\n{ANSWER}"))[0]
    to = "Chị Hoa (nhắn riêng), nhóm Xã Hương Sơn" if tg else "Chị Hoa (nhắn riêng)"
    assert sent.startswith(f"✅ Đã gửi trả lời câu hỏi số 1 tới {to}.")
    assert "📘 Lưu vào cẩm nang: /camnang them tu 1 <chủ đề>" in sent

    answer = f"💬 Trả lời câu hỏi số 1 (Chị Hoa)\nHỏi: {QUESTION}\nĐáp: {ANSWER}\n— Cán bộ Lan"
    await eventually(lambda: _has(world, d.private(team.hoa), answer), what="Hoa's answer")
    if tg:
        await eventually(lambda: _has(world, where, answer), what="the group's answer")
    again = (await d.say(team.lan, lan_chat, "/traloi 1 Thêm nữa"))[0]
    assert again.startswith("Câu hỏi số 1 đã được Cán bộ Lan trả lời lúc ")

    if tg:
        # The button under the confirmation asks for the topic; the next message is the topic.
        confirmation = world.fake.sent(lan_chat)[-2]
        assert confirmation.buttons == ((("📘 Lưu vào cẩm nang", "hbq:1"),),)
        handled = world.bot.handled
        world.fake.press(team.lan.handle, lan_chat, confirmation.message_id, "hbq:1")
        await eventually(lambda: world.bot.handled > handled, what="the press")
        assert d.texts(lan_chat)[-1].startswith("Chủ đề cho ghi chú từ câu hỏi số 1?")
        saved = await d.say(team.lan, lan_chat, "Sốt phát ban ở trẻ")
    else:
        saved = await d.say(team.lan, lan_chat, "/camnang them tu 1 Sốt phát ban ở trẻ")
    assert saved == [
        "✅ Đã lưu câu hỏi số 1 vào cẩm nang: «Sốt phát ban ở trẻ» (Xã Hương Sơn). "
        "Xem: /camnang Sốt phát ban ở trẻ"
    ]
    note = await d.say(team.tu, d.private(team.tu), "/camnang sot phat ban")
    assert note == [f"📘 Sốt phát ban ở trẻ (Xã Hương Sơn)\nHỏi: {QUESTION}\nĐáp: {ANSWER}"]


async def test_who_may_ask_and_answer(world: World) -> None:
    """Only collaborators ask and only officers over the asker's area answer; bad input shows
    the right form; `/traloi 1` alone asks for the answer."""
    team = await district_team(world)
    d = world.driver
    hoa, lan, binh = d.private(team.hoa), d.private(team.lan), d.private(team.binh)
    assert (await d.say(team.hoa, hoa, "/hoi"))[0].startswith("Cách hỏi: /hoi <câu hỏi>")
    assert await d.say(team.lan, lan, f"/hoi {QUESTION}") == [
        "Lệnh /hoi chỉ dành cho: quản trị, cộng tác viên."
    ]
    assert await d.say(team.hoa, hoa, f"/traloi 1 {ANSWER}") == [
        "Lệnh /traloi chỉ dành cho: quản trị, cán bộ."
    ]
    # Bình's commune has no officer of its own: his question goes straight to the region.
    asked = await d.say(team.binh, binh, f"/ask {QUESTION}")
    assert asked == [
        "✅ Đã gửi câu hỏi số 1 tới 1 cán bộ của Trung tâm Y tế khu vực Hồng Lĩnh. "
        "Có trả lời tôi sẽ báo bạn."
    ]
    assert await d.say(team.lan, lan, f"/traloi 1 {ANSWER}") == [
        "Câu hỏi số 1 của Tổ dân phố Trung Lương, ngoài địa bàn của bạn."
    ]
    assert await d.say(team.lan, lan, "/traloi 9 Có") == ["Không có câu hỏi số 9."]
    assert (await d.say(team.lan, lan, "/traloi mot"))[0].startswith("Cách trả lời: /traloi")
    assert await d.say(team.lan, lan, "/traloi") == [
        "Không có câu hỏi nào đang chờ trả lời trong địa bàn của bạn."
    ]
    region = d.private(team.region)
    prompt = (await d.say(team.region, region, "/traloi 1"))[0]
    assert prompt.startswith("Nội dung trả lời câu hỏi số 1")
    done = (await d.say(team.region, region, ANSWER))[0]
    assert done.startswith("✅ Đã gửi trả lời câu hỏi số 1 tới Anh Bình (nhắn riêng).")
    await eventually(lambda: _has(world, binh, f"Đáp: {ANSWER}"), what="Bình's answer")
    assert "— Cán bộ Khu vực (Trung tâm Y tế khu vực Hồng Lĩnh)" in d.texts(binh)[-1]


async def test_unanswered_question_climbs_the_tree_on_time(
    world: World, clock: ManualClock
) -> None:
    """Unanswered for 24 hours at the commune, it goes to the region; 24 hours later to the
    province's admin; then it stays. Each step once, across restarts; the digest counts it."""
    team = await district_team(world)
    d = world.driver
    await d.say(team.hoa, d.private(team.hoa), f"/hoi {QUESTION}")
    app = _app(world)
    region, admin = d.private(team.region), d.private(team.admin)
    await eventually(lambda: _has(world, d.private(team.lan), "Câu hỏi số 1"))

    clock.advance(hours=23, minutes=59)
    assert app.escalate_questions() == {"escalated": 0}, "not due yet"
    clock.advance(minutes=2)
    assert app.escalate_questions() == {"escalated": 1}
    assert app.escalate_questions() == {"escalated": 0}, "once"
    await eventually(lambda: _has(world, region, "Câu hỏi số 1"), what="the region's copy")
    copy = next(t for t in d.texts(region) if "Câu hỏi số 1" in t)
    assert copy.startswith(
        "⏫ Chưa ai trả lời sau 24 giờ ở Xã Hương Sơn, nay chuyển lên bạn.\n❓ Câu hỏi số 1"
    )
    assert sum("Câu hỏi số 1" in t for t in d.texts(d.private(team.lan))) == 1, "told once"
    assert app.services is not None
    digests = app.services.digests
    text = digests.text.render(digests.build("R1", clock.now().date()), "vi")
    assert "❓ Câu hỏi chưa trả lời: 1 (lâu nhất: số 1, Thôn Sơn Ninh, hỏi 23/11)" in text

    app = await world.restart()
    assert app.escalate_questions() == {"escalated": 0}, "the restart remembers the step"
    clock.advance(hours=24)
    assert app.escalate_questions() == {"escalated": 1}, "to the province: its admin"
    await eventually(lambda: _has(world, admin, "Câu hỏi số 1"), what="the admin's copy")
    assert "ở Trung tâm Y tế khu vực Hồng Lĩnh" in next(t for t in d.texts(admin) if "số 1" in t)
    clock.advance(hours=48)
    assert app.escalate_questions() == {"escalated": 0}, "nothing above the root"

    # The commune's officer may still answer; then it is no longer open anywhere.
    await d.say(team.lan, d.private(team.lan), f"/traloi 1 {ANSWER}")
    clock.advance(hours=48)
    assert app.escalate_questions() == {"escalated": 0}
    assert app.services is not None
    text = digests.text.render(app.services.digests.build("R1", clock.now().date()), "vi")
    assert "Câu hỏi chưa trả lời" not in text


async def test_quiet_hours_hold_an_escalation_until_morning(
    tg_world: World, clock: ManualClock
) -> None:
    """A question asked at 21:30 reaches the officer at once; its escalation, due at 21:30 the
    next evening, waits for the end of quiet hours (06:30)."""
    team = await district_team(tg_world)
    d = tg_world.driver
    clock.advance(hours=13, minutes=30)  # Monday 21:30 in Vietnam
    await d.say(team.hoa, d.private(team.hoa), f"/hoi {QUESTION}")
    await eventually(lambda: _has(tg_world, d.private(team.lan), "Câu hỏi số 1"))
    app = _app(tg_world)
    clock.advance(hours=24, minutes=1)  # Tuesday 21:31
    assert app.escalate_questions() == {"escalated": 0}, "quiet hours"
    clock.advance(hours=8, minutes=58)  # Wednesday 06:29
    assert app.escalate_questions() == {"escalated": 0}, "still quiet"
    clock.advance(minutes=2)  # 06:31
    assert app.escalate_questions() == {"escalated": 1}
    await eventually(lambda: _has(tg_world, d.private(team.region), "Câu hỏi số 1"))

    # The button under the escalated copy asks for the answer; the next message is the answer.
    region = d.private(team.region)
    copy = next(m for m in tg_world.fake.sent(region) if "Câu hỏi số 1" in m.text)
    handled = tg_world.bot.handled
    tg_world.fake.press(team.region.handle, region, copy.message_id, "qans:1")
    await eventually(lambda: tg_world.bot.handled > handled, what="the press")
    assert d.texts(region)[-1].startswith("Nội dung trả lời câu hỏi số 1 («Trẻ sốt 3 ngày")
    done = (await d.say(team.region, region, ANSWER))[0]
    assert done.startswith("✅ Đã gửi trả lời câu hỏi số 1 tới Chị Hoa (nhắn riêng).")
