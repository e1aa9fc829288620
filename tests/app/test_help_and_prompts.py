"""/trogiup per person and place, the command menus, prompts that expire, /huy, /ngonngu."""

from __future__ import annotations

import re

from bot.core.clock import ManualClock
from tests.support.harness import World


async def test_help_lists_only_what_this_person_may_use_here(world: World) -> None:
    """A newcomer sees no officer commands; an officer sees /duyet and /vaitro in private."""
    d = world.driver
    admin, newcomer = d.person("Quản trị"), d.person("Chị Hoa")
    await world.start(admins=[admin])
    newcomer_help = (await d.say(newcomer, d.private(newcomer), "/help"))[0]
    assert "/dangky" in newcomer_help and "/lienket" in newcomer_help
    assert "/duyet" not in newcomer_help and "/vaitro" not in newcomer_help
    assert "/gannhom" not in newcomer_help  # a group command, and not theirs
    admin_help = (await d.say(admin, d.private(admin), "/trợgiúp"))[0]
    assert "/duyet" in admin_help and "/vaitro" in admin_help
    assert "/gannhom" not in admin_help  # only in groups


async def test_telegram_menu_is_registered_in_vietnamese_and_english(tg_world: World) -> None:
    """setMyCommands gets Vietnamese names by default and English aliases for English clients;
    everyone sees that menu, so it starts with the report and holds no officer's command."""
    await tg_world.start(admins=[])
    vi = dict(tg_world.fake.menu(""))
    en = dict(tg_world.fake.menu("en"))
    assert vi["dangky"].startswith("đăng ký") and vi["batdau"]
    assert en["register"].startswith("become") and "start" in en and "help" in en
    assert list(vi)[:3] == ["baocao", "sua", "cuatoi"] and next(iter(en)) == "report"
    assert vi["danhan"] == "báo đã nhận thông báo số 12", "the directive's word, no placeholder"
    assert not {"chithi", "duyet", "vaitro", "xacnhan", "nhatky", "thieu"} & set(vi)


async def test_a_numbered_prompt_expires_and_huy_cancels(world: World, clock: ManualClock) -> None:
    """A bare number answers the open question; after its time it says so; /huy drops it."""
    d = world.driver
    admin, hoa, nam = d.person("Quản trị"), d.person("Chị Hoa"), d.person("Anh Nam")
    await world.start(admins=[admin])
    a_chat = d.private(admin)
    await d.say(hoa, d.private(hoa), "/dangky Thôn Sơn Ninh")
    await d.say(nam, d.private(nam), "/dangky 18133-02")
    listing = (await d.say(admin, a_chat, "/duyet"))[0]
    assert "#1 Chị Hoa" in listing and "#2 Anh Nam" in listing
    assert (await d.say(admin, a_chat, "2 không"))[
        0
    ] == "Đã từ chối đăng ký #2 của Anh Nam (Thôn Sơn Trung)."
    clock.advance(minutes=31)
    assert (await d.say(admin, a_chat, "1"))[
        0
    ] == "Câu hỏi trước đã hết hạn. Vui lòng gõ lại lệnh."
    assert (await d.say(admin, a_chat, "1"))[0].startswith("Tôi không có câu hỏi nào")
    await d.say(admin, a_chat, "/duyet")
    assert (await d.say(admin, a_chat, "/huy"))[0] == "Đã hủy."
    assert (await d.say(admin, a_chat, "/huy"))[0] == "Không có thao tác nào đang dở."
    assert "chưa được duyệt" in d.texts(d.private(nam))[-1]


async def test_ambiguous_village_is_asked_back_by_number(world: World) -> None:
    """'son' matches two villages: the bot lists them and a number picks one."""
    d = world.driver
    hoa = d.person("Chị Hoa")
    await world.start(admins=[])
    chat = d.private(hoa)
    question = (await d.say(hoa, chat, "/dangky son"))[0]
    assert question.startswith("Có nhiều thôn trùng tên")
    options = re.findall(r"^(\d+)\. (.+?) –", question, re.MULTILINE)
    assert [name for _, name in options] == ["Thôn Sơn Ninh", "Thôn Sơn Trung"]
    assert (await d.say(hoa, chat, "9"))[
        0
    ] == "Vui lòng trả lời một số từ 1 đến 2, hoặc /huy để thoát."
    assert "Thôn Sơn Trung" in (await d.say(hoa, chat, "2"))[0]


async def test_language_switch_to_english(world: World) -> None:
    """/ngonngu en makes every later reply English for that person only."""
    d = world.driver
    hoa, lan = d.person("Hoa"), d.person("Lan")
    await world.start(admins=[])
    assert (await d.say(hoa, d.private(hoa), "/language en"))[0] == "Language set to English."
    assert (await d.say(hoa, d.private(hoa), "/huy"))[0] == "Nothing to cancel."
    assert (await d.say(lan, d.private(lan), "/huy"))[0] == "Không có thao tác nào đang dở."
    assert (await d.say(hoa, d.private(hoa), "xin chao"))[0].startswith("I did not understand")
