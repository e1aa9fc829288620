"""The rumour watch end to end: officers register a clarification; group talk that repeats the
rumour gets it in that thread (once a group and day) and the area's officers are told."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.clock import ManualClock
from tests.support.directive_helpers import Team, bind_huong_son_group, district_team
from tests.support.harness import World, eventually

ADD = (
    "/dinhchinh them tin đồn: tiêm vắc xin HPV gây vô sinh; HPV làm vô sinh\n"
    "đính chính: Vắc xin HPV đã được Bộ Y tế cấp phép và không gây vô sinh.\n"
    "Tiêm đủ mũi giúp phòng ung thư cổ tử cung.\n"
    "nguồn: Bộ Y tế"
)
REPLY = "ℹ️ Thông tin chính thức (đính chính số 1)"
ALERT = "🗣️ Tin đồn trong nhóm «Xã Hương Sơn»"


def _sent_to(world: World, chat: Any, marker: str) -> int:
    return sum(marker in t for t in world.driver.texts(chat))


async def _overheard(world: World, who: Any, group: Any, text: str) -> tuple[int, list[Any]]:
    """Type into the group without addressing the bot; the message id and the bot's new
    messages in the group once it has handled it."""
    before, handled = len(world.fake.sent(group)), world.bot.handled
    message = world.fake.type_as(who.handle, group, text)
    await eventually(lambda: world.bot.handled > handled, what=f"the bot to hear {text!r}")
    return message["message_id"], world.fake.sent(group)[before:]


async def test_group_talk_gets_the_clarification_and_officers_are_told(
    tg_world: World, clock: ManualClock
) -> None:
    """Privacy mode hides talk until the bot is admin; then a rumour is answered in its thread
    once a day, every sighting is told to the officers and counted in the digest."""
    world = tg_world
    team = await district_team(world)
    d, fake = world.driver, world.fake
    group = bind_huong_son_group(world, team, bot_is_admin=False)
    bound = (await d.say(team.lan, group, "/gannhom Xã Hương Sơn"))[0]
    assert bound.startswith("✅ Nhóm này đã gắn với Xã Hương Sơn.")
    assert "chưa đọc được tin nhắn thường trong nhóm này" in bound and "/setprivacy" in bound
    officer_help = (await d.say(team.region, d.private(team.region), "/trogiup"))[0]
    assert "/dinhchinh" in officer_help and "/khaosat" in officer_help
    assert "chỉ đọc tin nhắn thường ở những nhóm mà bot là quản trị" in officer_help
    collab_help = (await d.say(team.hoa, d.private(team.hoa), "/trogiup"))[0]
    assert "/dinhchinh" not in collab_help and "tin nhắn thường" not in collab_help

    r_chat = d.private(team.region)
    added = (await d.say(team.region, r_chat, ADD))[0]
    assert added.startswith("✅ Đã lưu đính chính số 1 (Trung tâm Y tế khu vực Hồng Lĩnh, 2 câu")

    # Privacy mode on, not an admin: Telegram does not even pass the message on.
    fake.type_as(team.hoa.handle, group, "tiêm vắc xin HPV gây vô sinh đấy")
    assert not any("vô sinh" in str(u) for u in fake.pending()), "never passed on"
    fake.set_bot_admin(group)
    group_help = (await d.say(team.lan, group, "/trogiup"))[0]
    assert "tin nhắn thường" not in group_help, "as admin the bot reads the group"

    said, new = await _overheard(
        world, team.hoa, group, "Nghe nói tiem vacxin HPV lam vo sinh đó, đừng cho con đi tiêm"
    )
    assert len(new) == 1 and new[0].text.startswith(REPLY)
    assert new[0].reply_to_message_id == said, "answered in that message's thread"
    assert "không gây vô sinh" in new[0].text and "Nguồn: Bộ Y tế" in new[0].text
    for officer in (team.lan, team.region):
        await eventually(lambda o=officer: _sent_to(world, d.private(o), ALERT) == 1, what="alert")
    alert = next(t for t in d.texts(d.private(team.lan)) if ALERT in t)
    assert "Chị Hoa viết (khớp đính chính số 1)" in alert and "tiem vacxin HPV" in alert
    assert "Bot đã trả lời trong nhóm" in alert
    assert _sent_to(world, d.private(team.hoa), ALERT) == 0, "collaborators are not told"

    # The same day: told again (another person), not answered again.
    _, new = await _overheard(world, team.tu, group, "Vô sinh là do tiêm vắc-xin HPV đấy")
    assert new == []
    await eventually(lambda: _sent_to(world, d.private(team.lan), ALERT) == 2, what="2nd alert")
    assert "không đăng lại" in d.texts(d.private(team.lan))[-1]
    # Talk that shares the words but not the claim, and a denial: nothing.
    for text in ("Lịch tiêm vắc xin HPV thứ Bảy tại trạm y tế", "HPV không gây vô sinh nhé"):
        assert (await _overheard(world, team.tu, group, text))[1] == []
    # Addressed to the bot but not understood: the usual short help, as before.
    assert (await d.say(team.tu, group, "@DansoBot xin chào"))[-1].startswith("Tôi chưa hiểu")

    app = world.bot.app
    assert app is not None and app.services is not None
    digest = app.services.digests.build("R1", date(2026, 11, 23))
    text = app.services.digests.text.render(digest, "vi")
    assert "🗣️ Tin đồn được nhắc trong nhóm: 2 lần" in text
    assert "• ĐC1 «tiêm vắc xin HPV gây vô sinh»: 2 (Xã Hương Sơn 2)" in text

    clock.advance(days=1)
    _, new = await _overheard(world, team.hoa, group, "HPV lam vo sinh that ko cac chi")
    assert len(new) == 1 and new[0].text.startswith(REPLY), "a new day: answered again"
    await eventually(lambda: _sent_to(world, r_chat, ALERT) == 3, what="the third alert")
    listed = (await d.say(team.region, r_chat, "/dinhchinh ds"))[0]
    assert "• ĐC1 (Trung tâm Y tế khu vực Hồng Lĩnh): «tiêm vắc xin HPV gây vô sinh»" in listed
    assert "gặp 3 lần trong 7 ngày" in listed
    assert (await d.say(team.region, r_chat, "/dinhchinh go 1"))[0].startswith("Đã gỡ")
    clock.advance(days=1)
    assert (await _overheard(world, team.hoa, group, "tiêm vắc xin HPV gây vô sinh"))[1] == []


async def test_keeping_the_registry(world: World) -> None:
    """Officers add, show, edit and retire clarifications of their own area only; collaborators
    cannot; bad input gets the right form; Zalo says what its bots can hear."""
    team: Team = await district_team(world)
    d = world.driver
    l_chat, r_chat = d.private(team.lan), d.private(team.region)
    refused = await d.say(team.hoa, d.private(team.hoa), ADD)
    assert refused == ["Lệnh /dinhchinh chỉ dành cho: quản trị, cán bộ."]
    assert (await d.say(team.lan, l_chat, "/dinhchinh ds")) == [
        "Chưa có đính chính nào trong địa bàn của bạn. Thêm bằng /dinhchinh them …"
    ]
    usage = (await d.say(team.lan, l_chat, "/dinhchinh them vắc xin gây vô sinh"))[0]
    assert usage.startswith("Cách thêm đính chính") and "tin đồn:" in usage
    short = await d.say(team.lan, l_chat, "/dinhchinh them tin đồn: vô sinh | đính chính: Sai.")
    assert short[0].startswith("Câu tin đồn «vô sinh» quá ngắn")
    added = await d.say(
        team.lan, l_chat,
        "/dinhchinh them tin don: la du du chua khoi sot xuat huyet | dinh chinh: Không có "
        "thuốc đặc trị sốt xuất huyết; hãy đến trạm y tế.",
    )  # fmt: skip
    assert added[0].startswith("✅ Đã lưu đính chính số 1 (Xã Hương Sơn, 1 câu tin đồn)")
    await d.say(
        team.region, r_chat, ADD.replace("/dinhchinh them", "/dinhchinh them địa bàn: R1\n")
    )
    outside = await d.say(team.lan, l_chat, "/dinhchinh sua 2 nguồn: Sở Y tế")
    assert outside == [
        "Đính chính số 2 thuộc Trung tâm Y tế khu vực Hồng Lĩnh, ngoài địa bàn của bạn."
    ]
    assert (await d.say(team.region, r_chat, "/dinhchinh sua 1 nguồn: Sở Y tế Hà Tĩnh")) == [
        "✅ Đã sửa đính chính số 1."
    ]
    shown = (await d.say(team.region, r_chat, "/dinhchinh 1"))[0]
    assert shown.startswith("📚 Đính chính số 1 (Xã Hương Sơn)")
    assert "• la du du chua khoi sot xuat huyet" in shown and "Nguồn: Sở Y tế Hà Tĩnh" in shown
    mine = (await d.say(team.lan, l_chat, "/dinhchinh"))[0]
    assert "• ĐC2 (Trung tâm Y tế khu vực Hồng Lĩnh)" in mine and "• ĐC1 (Xã Hương Sơn)" in mine
    assert (await d.say(team.lan, l_chat, "/dinhchinh go 9")) == [
        "Không có đính chính số 9. Xem danh sách: /dinhchinh ds"
    ]
    officer_help = (await d.say(team.lan, l_chat, "/trogiup"))[0]
    if world.platform == "zalo":
        assert "Trên Zalo, bot chỉ nghe tin nhắn nhắc tên bot" in officer_help
