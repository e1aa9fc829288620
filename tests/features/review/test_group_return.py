"""Returning in the commune's Telegram group: «Trả lại» under each echo, a reply to the echo or
to the report message itself, the button's question for a reason; the group when the
collaborator cannot be written to privately; and the export's sheet of returned reports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.features.review.test_return import ABOUT, told
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually


async def _typed(world: World, person: Any, chat: Any, text: str, **kw: Any) -> dict[str, Any]:
    """Type as `person` and wait until handled; the message as the fake stored it."""
    handled = world.bot.handled
    message = world.fake.type_as(person.handle, chat, text, **kw)
    await eventually(lambda: world.bot.handled > handled, what=f"{text!r} handled")
    return message


async def _pressed(world: World, person: Any, chat: Any, message_id: int, data: str) -> None:
    handled = world.bot.handled
    world.fake.press(person.handle, chat, message_id, data)
    await eventually(lambda: world.bot.handled > handled, what=f"{data!r} pressed")


async def test_return_in_the_group_by_reply_and_button_and_the_export(tg_world: World) -> None:
    """Lan returns Hoa's report by replying to its echo, Tú's by replying to his message, and
    Hoa's next one with the button (Hoa's own press is refused on her screen only); each
    collaborator is told privately, or in the group when the bot cannot write to them; the
    period's spreadsheet lists the returned reports on a sheet of their own."""
    team = await district_team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = bind_huong_son_group(tg_world, team)
    await d.say(team.lan, group, "/gannhom Xã Hương Sơn")

    await d.say(team.hoa, group, "/bc sinh 2 chet 1")  # no. 1
    echo = fake.sent(group)[-1]
    assert echo.buttons == ((("↩️ Trả lại", "tralai:1"),),), "under the echo, for officers"
    back = await d.say(team.lan, group, "/tralai Số chết chưa khớp", reply_to=echo.message_id)
    assert back[0].startswith(f"↩️ Đã trả lại {ABOUT} cho Chị Hoa (nhắn riêng).")
    await told(tg_world, d.private(team.hoa), "Lý do: Số chết chưa khớp")

    tu_report = await _typed(tg_world, team.tu, group, "/bc sinh 1")  # no. 2
    back = await d.say(team.lan, group, "/tralai Thiếu số chết",
                       reply_to=tu_report["message_id"])  # fmt: skip
    assert back[0].startswith("↩️ Đã trả lại báo cáo số 2 (Biến động dân số – Thôn Sơn Trung")

    await d.say(team.hoa, group, "/bc kehoach thuoc uong 1")  # no. 3
    echo = fake.sent(group)[-1]
    await _pressed(tg_world, team.hoa, group, echo.message_id, "tralai:3")
    assert fake.callback_answers[-1]["text"] == (
        "Chỉ cán bộ phụ trách thôn này mới trả lại được báo cáo."
    )
    await _pressed(tg_world, team.lan, group, echo.message_id, "tralai:3")
    question = fake.sent(group)[-1]
    assert question.text.startswith("Lý do trả lại báo cáo số 3 (Kế hoạch hóa gia đình")
    assert question.force_reply, "in a group the answer is a reply the bot hears"
    # Hoa blocked the bot privately since: the group hears it, addressed to her.
    app = tg_world.bot.app
    assert app is not None
    app.services.people.directory.mark_unreachable(team.hoa.key)
    answered = await d.say(team.lan, group, "Thuốc uống ghi nhầm", reply_to=question.message_id)
    assert answered[0].startswith(
        "↩️ Đã trả lại báo cáo số 3 (Kế hoạch hóa gia đình – Thôn Sơn Ninh, tháng 11/2026) cho "
        "Chị Hoa (trong nhóm Xã Hương Sơn, vì bot chưa nhắn riêng được cho người này)."
    )
    in_group = await told(tg_world, group, "👤 Gửi Chị Hoa:")
    assert in_group.text.endswith("\n/sua 3 thuốc uống 1"), "the field the reason names"

    await d.say(team.lan, d.private(team.lan), "/xuat")
    document = fake.sent(d.private(team.lan))[-1].document
    assert document is not None
    book = openpyxl.load_workbook(io.BytesIO(fake.file_bytes(document["file_id"])))
    sheet = book["Báo cáo trả lại"]
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[2], r[4], r[5], r[6], r[7], r[9]) for r in rows] == [
        (1, "Thôn Sơn Ninh", "Biến động dân số", "chờ sửa", "Số chết chưa khớp", "Cán bộ Lan",
         "Chị Hoa"),
        (2, "Thôn Sơn Trung", "Biến động dân số", "chờ sửa", "Thiếu số chết", "Cán bộ Lan",
         "Anh Tú"),
        (3, "Thôn Sơn Ninh", "Kế hoạch hóa gia đình", "chờ sửa", "Thuốc uống ghi nhầm",
         "Cán bộ Lan", "Chị Hoa"),
    ]  # fmt: skip
