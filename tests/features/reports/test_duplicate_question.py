"""The question "send the repeated report again?" never loses a report: only a yes or a no answers
it; a report typed without its slash, a command or anything else is handled as itself while
the question keeps waiting; a new report (or a new question) ends it with a short note. End to
end on Telegram (its buttons) and Zalo (typed), then the answers it takes as a table."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.models import Role
from bot.features.reports.repeat import reading
from tests.support.directive_seed import Member, seed_store
from tests.support.harness import Person, World, eventually, write_config

SON_NINH = "18133-01"
QUESTION = (
    "Bạn vừa gửi đúng báo cáo này cho Thôn Sơn Ninh vài phút trước. Gửi thêm lần nữa "
    "(tính 2 lần)? Trả lời «có» để lưu thêm, «không» để bỏ."
)
WAITING = (
    "Báo cáo gửi lặp lúc nãy vẫn chờ bạn trả lời: «có» để lưu thêm (tính 2 lần), «không» để bỏ."
)
SAVED = "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026:"


def _left(text: str) -> str:
    return (
        f"Báo cáo gửi lặp lúc nãy («{text}») chưa được lưu lần thứ hai. "
        "Nếu đó là một ca mới, hãy gửi lại rồi trả lời «có»."
    )


async def _collaborator(world: World) -> tuple[Person, Any]:
    """Chị Hoa, collaborator of Thôn Sơn Ninh (seeded), and her private chat with the bot."""
    hoa = world.driver.person("Chị Hoa")
    config = write_config(
        world.folder, admins=[], **{f"{world.platform}_url": world.fake.base_url}
    )
    seed_store(config, [Member("Chị Hoa", hoa.key, Role.COLLABORATOR, SON_NINH)], [])
    await world.bot.start()
    return hoa, world.driver.private(hoa)


def _stored(world: World, person: Person) -> list[dict[str, Any]]:
    """The values of the person's reports, in a stable order (all sent in the same minute)."""
    app = world.bot.app
    assert app is not None and app.store is not None
    found = app.store.people.by_account(person.key)
    assert found is not None
    values = [r.values for r in app.store.reports.latest_by_reporter(found.id, limit=20)]
    return sorted(values, key=lambda v: sorted(v.items()))


async def _press(world: World, person: Person, chat: Any, message: Any, label: str) -> list[str]:
    """Press the button labelled `label` under `message`; the bot's new messages here."""
    data = next(d for row in message.buttons for text, d in row if text == label)
    before, handled = len(world.fake.sent(chat)), world.bot.handled
    world.fake.press(person.handle, chat, message.message_id, data)
    await eventually(lambda: world.bot.handled > handled, what=f"the press {label}")
    return world.driver.texts(chat)[before:]


async def test_only_a_yes_or_no_answers_the_repeated_report_question(world: World) -> None:
    hoa, chat = await _collaborator(world)
    d, tg = world.driver, world.platform == "telegram"
    assert (await d.say(hoa, chat, "/bc sinh 2"))[0].startswith(SAVED)
    assert await d.say(hoa, chat, "/bc sinh 2") == [QUESTION]
    question = world.fake.sent(chat)[-1]
    if tg:
        labels = [label for row in question.buttons for label, _ in row]
        assert labels == ["Có, lưu thêm", "Không"]

    # A report typed without its slash is no answer: it gets its usual hint, nothing is lost.
    hint = await d.say(hoa, chat, "bc sinh 2")
    assert hint == [
        "Báo cáo cần bắt đầu bằng lệnh /baocao (có dấu /). Gửi tin này:\n/baocao Sinh: 2"
    ]
    # A command runs as itself; the question still waits.
    mine = (await d.say(hoa, chat, "/cuatoi"))[0]
    assert mine.startswith("Báo cáo gần đây của bạn (1):")
    # What nothing understands hears how to answer.
    assert await d.say(hoa, chat, "để em xem lại sổ đã") == [WAITING]
    assert await d.say(hoa, chat, "5") == [WAITING]
    assert _stored(world, hoa) == [{"sinh": 2}]

    if tg:
        again = await _press(world, hoa, chat, question, "Có, lưu thêm")
    else:
        again = await d.say(hoa, chat, "Dạ có ạ")
    assert again[0].startswith(SAVED)
    assert _stored(world, hoa) == [{"sinh": 2}, {"sinh": 2}]
    if tg:
        assert world.fake.sent(chat)[-2].buttons == (), "answered: its buttons go"

    # A new report moves on: the waiting question ends, and the person is told so.
    assert await d.say(hoa, chat, "/bc chet 1") == [
        "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026:\n• Chết: 1"
    ]
    assert await d.say(hoa, chat, "/bc chet 1") == [QUESTION]
    moved_on = await d.say(hoa, chat, "/bc sinh 1 chuyen den 2")
    assert moved_on[0].startswith(SAVED)
    assert moved_on[1:] == [_left("chet 1")]
    no_question = ["Tôi chưa hiểu. Gõ /trogiup để xem các lệnh."]
    assert await d.say(hoa, chat, "có") == no_question, "no question waits any more"
    # So does a new question in its place (the step-by-step form), and /huy.
    assert await d.say(hoa, chat, "/bc chet 1") == [QUESTION]
    form = await d.say(hoa, chat, "/baocao")
    assert "câu 1/8: Sinh?" in form[0]
    assert form[1:] == [_left("chet 1")]
    assert await d.say(hoa, chat, "/huy") == ["Đã hủy."]
    assert await d.say(hoa, chat, "/bc chet 1") == [QUESTION]
    assert await d.say(hoa, chat, "/huy") == ["Đã hủy.", _left("chet 1")]
    # And "không" drops it, as before; the buttons of a question answered by typing do nothing.
    assert await d.say(hoa, chat, "/bc chet 1") == [QUESTION]
    question = world.fake.sent(chat)[-1]
    assert await d.say(hoa, chat, "không ạ") == ["Đã bỏ, không lưu lần thứ hai."]
    if tg:
        assert await _press(world, hoa, chat, question, "Có, lưu thêm") == []
        assert world.fake.callback_answers[-1]["text"] == "Câu hỏi này không còn chờ trả lời."
    assert _stored(world, hoa) == [
        {"chet": 1}, {"sinh": 1, "chuyen_den": 2}, {"sinh": 2}, {"sinh": 2}
    ]  # fmt: skip


async def test_in_a_group_only_the_sender_answers_and_a_reply_is_handled_as_itself(
    tg_world: World,
) -> None:
    """In a Telegram group the question has buttons: another member's press changes nothing;
    the sender's reply that is a report without its slash gets its hint, and the question
    still waits for the sender's button."""
    d, fake = tg_world.driver, tg_world.fake
    hoa, nam = d.person("Chị Hoa"), d.person("Anh Nam")
    config = write_config(tg_world.folder, admins=[], telegram_url=fake.base_url)
    members = [Member("Chị Hoa", hoa.key, Role.COLLABORATOR, SON_NINH),
               Member("Anh Nam", nam.key, Role.COLLABORATOR, "18133-02")]  # fmt: skip
    seed_store(config, members, [])
    await tg_world.bot.start()
    group = fake.group(
        -1004004004, "Nhóm Hương Sơn", admins=[nam.handle], members=[hoa.handle],
        bot_is_admin=True,
    )  # fmt: skip
    assert (await d.say(hoa, group, "/bc sinh 2"))[0].startswith(SAVED)
    assert await d.say(hoa, group, "/bc sinh 2") == [QUESTION]
    question = fake.sent(group)[-1]

    assert await _press(tg_world, nam, group, question, "Có, lưu thêm") == []
    assert fake.callback_answers[-1]["text"] == "Câu hỏi này dành cho người đã gửi báo cáo."
    assert next(m for m in fake.sent(group) if m.message_id == question.message_id).buttons
    reply = await d.say(hoa, group, "bc sinh 2", reply_to=question.message_id)
    assert reply == [
        "Báo cáo cần bắt đầu bằng lệnh /baocao (có dấu /). Gửi tin này:\n/baocao Sinh: 2"
    ]
    assert await _press(tg_world, hoa, group, question, "Không") == [
        "Đã bỏ, không lưu lần thứ hai."
    ]
    assert _stored(tg_world, hoa) == [{"sinh": 2}]


ANSWERS = [
    ("có", True), ("Có.", True), ("co", True), ("Dạ có ạ", True), ("c", True), ("OK", True),
    ("ok em", True), ("yes", True), ("vâng", True), ("đúng rồi", True), ("lưu", True),
    ("xác nhận", True), ("không", False), ("khong", False), ("Không ạ", False), ("ko", False),
    ("k", False), ("no", False), ("thôi", False), ("không lưu", False), ("bỏ đi", False),
    ("bc sinh 2", None), ("sinh 2", None), ("/bc sinh 2", None), ("2", None), ("dạ", None),
    ("có thể", None), ("không biết", None), ("ok 12", None), ("", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "meant"), ANSWERS)
def test_what_answers_the_question(text: str, meant: bool | None) -> None:
    assert reading(text) is meant
