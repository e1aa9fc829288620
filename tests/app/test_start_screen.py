"""/batdau on one phone screen with the whole privacy notice a tap (Telegram) or a command (Zalo)
away, and the first private message to a person saying that a bot is talking, once."""

from __future__ import annotations

import textwrap

from tests.support.harness import World, eventually

INTRO = "🤖 Xin chào! Tôi là trợ lý tự động (bot), không phải người thật."
NOTICE = "Dữ liệu tôi lưu: tên hiển thị"
TOLD = {"privacy": {"tell_automated": True}}
ASKED = {"privacy": {"tell_automated": True, "consent_required": True}}
# A 412-px phone shows about 38 characters a line in a chat bubble; /batdau gets about 12
# lines (Zalo's typed twins of the two buttons add theirs).
WIDTH, SCREEN = 38, 13


def phone_lines(text: str) -> int:
    """How many lines `text` takes in a chat bubble on a 412-px phone."""
    return sum(max(1, len(textwrap.wrap(line, WIDTH))) for line in text.split("\n"))


async def test_batdau_fits_one_screen_with_the_notice_a_tap_away(world: World) -> None:
    """A newcomer's /batdau: who is talking, the next step with a village of this tree, the
    data in one line and the consent; the whole notice by button or /dulieu."""
    d = world.driver
    admin, hoa = d.person("Quản trị"), d.person("Chị Hoa")
    await world.start(admins=[admin], extra=ASKED)
    chat = d.private(hoa)
    (screen,) = await d.say(hoa, chat, "/batdau")
    assert screen.startswith(INTRO) and screen.count("trợ lý tự động") == 1
    assert "/dangky Tổ dân phố Trung Lương" in screen, "an example from this tree"
    assert "🔒 Tôi lưu tên, tài khoản và tin bạn gửi" in screen and NOTICE not in screen
    assert phone_lines(screen) <= SCREEN, screen

    if d.platform == "telegram":
        message = world.fake.sent(chat)[-1]  # type: ignore[attr-defined]
        assert [row[0] for row in message.buttons] == [
            ("Tôi đồng ý", "consent:yes"), ("🔒 Thông báo dữ liệu", "notice:full"),
        ]  # fmt: skip
        handled = world.bot.handled
        world.fake.press(hoa.handle, chat, message.message_id, "notice:full")  # type: ignore[attr-defined]
        await eventually(lambda: world.bot.handled > handled, what="the button handled")
        full = d.texts(chat)[-1]
    else:
        assert screen.endswith("👉 Gõ «dong y»: Tôi đồng ý\n👉 Gõ «/dulieu»: 🔒 Thông báo dữ liệu")
        (full,) = await d.say(hoa, chat, "/dulieu")
    assert full.startswith("🔒 Thông báo về dữ liệu cá nhân") and NOTICE in full
    assert "bấm «Tôi đồng ý» hoặc gõ: đồng ý" in full

    await d.say(hoa, chat, "đồng ý")
    (again,) = await d.say(hoa, chat, "/batdau")
    assert "hãy đồng ý" not in again and "Gõ «dong y»" not in again, "agreed: not asked again"
    assert INTRO in again, "/batdau always says who is talking"
    (full,) = await d.say(hoa, chat, "/privacy")
    assert NOTICE in full and "Bạn đã đồng ý với thông báo này. Rút lại: /dongy huy" in full


async def test_the_first_private_message_says_a_bot_is_talking(world: World) -> None:
    """Whatever the bot first says to a person privately opens with the statement, once, and
    the bot remembers it across a restart; /batdau as the first message says it only once."""
    d = world.driver
    admin, nam, lan = d.person("Quản trị"), d.person("Anh Nam"), d.person("Chị Lan")
    await world.start(admins=[admin], extra=TOLD)
    chat = d.private(nam)
    (first,) = await d.say(nam, chat, "xin chao")
    assert first == f"{INTRO}\n\nTôi chưa hiểu. Gõ /trogiup để xem các lệnh."
    (second,) = await d.say(nam, chat, "/dangky Thôn Sơn Ninh")
    assert second.startswith("Đã gửi đăng ký #1") and INTRO not in second
    (waiting,) = await d.say(nam, chat, "/batdau")
    assert "⏳ Đăng ký của bạn (Thôn Sơn Ninh) đang chờ cán bộ duyệt" in waiting
    assert "/dangky" not in waiting, "no second registration offered while one waits"
    (screen,) = await d.say(lan, d.private(lan), "/batdau")
    assert screen.startswith(INTRO) and screen.count(INTRO) == 1

    await world.restart()
    (after,) = await d.say(nam, chat, "/toi")
    assert after.startswith("👤 Anh Nam") and INTRO not in after, "told once, for good"
