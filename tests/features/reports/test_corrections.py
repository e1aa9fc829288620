"""Correcting a report end to end on Telegram and Zalo: the report replied to, the one with that
field, `/cuatoi` numbers with their times, `/sua n` and `/huybaocao n`, and the refusals."""

from __future__ import annotations

import re

from bot.core.clock import ManualClock
from tests.features.reports.test_reports import _team
from tests.support.harness import Person, World

FIXED_DANSO = "✏️ Đã sửa báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026"


async def _collaborator_elsewhere(world: World, admin: Person) -> Person:
    """A collaborator of Tổ dân phố Trung Lương, in another commune than the team's."""
    d = world.driver
    tung = d.person("Anh Tùng")
    await d.say(tung, d.private(tung), "/batdau")
    me = (await d.say(tung, d.private(tung), "/toi"))[0]
    number = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    await d.say(admin, d.private(admin), f"/vaitro {number} ctv Tổ dân phố Trung Lương")
    return tung


def _last_id(world: World, chat: object) -> object:
    """The id of the bot's last message in the chat (what a person replies to)."""
    return world.fake.sent(chat)[-1].message_id


async def test_a_correction_means_the_report_replied_to_or_the_one_with_that_field(
    world: World,
) -> None:
    """The issue's scenario: `/sua chet 2` after a population report and a family-planning
    one corrects the population report, as a reply to its echo (Telegram remembers which
    echo showed which report) and by the field alone (Zalo's replies do not say what they
    quote); a type named first is understood, not asked for again."""
    _, _, collab = await _team(world)
    d = world.driver
    chat = d.private(collab)
    await d.say(collab, chat, "/bc sinh 2 chet 1")
    first_echo = _last_id(world, chat)
    await d.say(collab, chat, "/bc kehoach thuoc uong 1")
    kehoach_echo = _last_id(world, chat)

    fixed = await d.say(collab, chat, "/sua chet 2", reply_to=first_echo)
    assert fixed == [f"{FIXED_DANSO} (lần 2):\n• Sinh: 2\n• Chết: 2"]
    named = await d.say(collab, chat, "/sua danso chet 3")
    assert named == [f"{FIXED_DANSO} (lần 3):\n• Sinh: 2\n• Chết: 3"]
    pills = (await d.say(collab, chat, "/sua thuoc uong 2"))[0]
    assert pills.splitlines() == [
        "✏️ Đã sửa báo cáo Kế hoạch hóa gia đình – Thôn Sơn Ninh, tháng 11/2026 (lần 2):",
        "• Thuốc uống: 2",
    ]

    # A second population report: now only a reply (or a number) can mean the first one.
    await d.say(collab, chat, "/bc sinh 1")
    replied = (await d.say(collab, chat, "/sua chet 4", reply_to=first_echo))[0]
    wrong_field = await d.say(collab, chat, "/sua chet 5", reply_to=kehoach_echo)
    if world.platform == "telegram":
        assert replied == f"{FIXED_DANSO} (lần 4):\n• Sinh: 2\n• Chết: 4"
        assert wrong_field == [
            "Báo cáo số 2 (Kế hoạch hóa gia đình) không có mục «Chết». "
            "Ví dụ sửa báo cáo này: /sua 2 thuốc uống 3"
        ]
    else:  # no reply information on Zalo: the newest population report, the only type with it
        assert replied == f"{FIXED_DANSO} (lần 2):\n• Sinh: 1\n• Chết: 4"
        assert wrong_field == [f"{FIXED_DANSO} (lần 3):\n• Sinh: 1\n• Chết: 5"]
    by_number = await d.say(collab, chat, "/sua 1 chet 6")
    assert by_number[0].startswith(FIXED_DANSO) and "• Sinh: 2\n• Chết: 6" in by_number[0]


async def test_mine_numbers_reports_and_sua_or_huybaocao_act_on_one(
    world: World, clock: ManualClock
) -> None:
    """`/cuatoi` lists each report with its number and the time it was sent; `/sua n` and
    `/huybaocao n` act on that one; someone else's, unknown and retracted numbers are refused
    with the right form; an officer acts on a report of their area by its number."""
    admin, officer, collab = await _team(world)
    tung = await _collaborator_elsewhere(world, admin)
    d = world.driver
    chat, o_chat = d.private(collab), d.private(officer)
    await d.say(collab, chat, "/bc sinh 2 chet 1")  # no. 1, Monday 08:00
    clock.advance(days=1)
    await d.say(tung, d.private(tung), "/bc sinh 1")  # no. 2, another commune's
    clock.advance(minutes=5)
    await d.say(collab, chat, "/bc kehoach thuoc uong 1")  # no. 3, Tuesday 08:05

    mine = (await d.say(collab, chat, "/cuatoi"))[0]
    assert mine.splitlines() == [
        "Báo cáo gần đây của bạn (2):",
        "• Số 3 (08:05): Kế hoạch hóa gia đình, Thôn Sơn Ninh, tháng 11/2026 – Thuốc uống 1",
        "• Số 1 (08:00 23/11): Biến động dân số, Thôn Sơn Ninh, tháng 11/2026 – Sinh 2, Chết 1",
        "Sửa một báo cáo: /sua <số> <mục> <số mới>, ví dụ /sua 3 thuốc uống 2. "
        "Hủy: /huybaocao <số>.",
    ]
    fixed = (await d.say(collab, chat, "/sua 1 chet 2"))[0]
    assert fixed == f"{FIXED_DANSO} (lần 2):\n• Sinh: 2\n• Chết: 2"

    not_yours = (
        "Báo cáo số 2 không phải của bạn, nên bạn không sửa hay hủy được. "
        "Gõ /cuatoi để xem số các báo cáo của bạn."
    )
    assert await d.say(collab, chat, "/sua 2 chet 1") == [not_yours]
    assert await d.say(collab, chat, "/huybaocao 2") == [not_yours]
    assert await d.say(collab, chat, "/sua 9 chet 1") == [
        "Không có báo cáo số 9. Gõ /cuatoi để xem số các báo cáo của bạn, rồi sửa: "
        "/sua <số> <mục> <số mới>."
    ]
    assert await d.say(collab, chat, "/sua 1 thuoc uong 2") == [
        "Báo cáo số 1 (Biến động dân số) không có mục «Thuốc uống». "
        "Ví dụ sửa báo cáo này: /sua 1 sinh 3"
    ]

    retracted = (await d.say(collab, chat, "/huybaocao 3"))[0]
    assert retracted.startswith("🗑 Đã hủy báo cáo Kế hoạch hóa gia đình – Thôn Sơn Ninh")
    assert await d.say(collab, chat, "/huybaocao 3") == [
        "Báo cáo số 3 đã hủy từ trước. Gõ /cuatoi để xem các báo cáo còn được tính."
    ]
    again = (await d.say(collab, chat, "/sua 3 thuoc uong 2"))[0]
    assert again.startswith(
        "Báo cáo số 3 đã hủy nên không sửa được nữa. Muốn báo lại, hãy gửi báo cáo mới, ví dụ:"
        "\n/baocao kehoach "
    )
    assert await d.say(collab, chat, "/huybaocao ba") == [
        "Gõ /huybaocao để hủy báo cáo mới nhất của bạn, hoặc thêm số báo cáo (xem bằng "
        "/cuatoi), ví dụ: /huybaocao 1"
    ]

    # The officer of Xã Hương Sơn corrects no. 1 by its number; no. 2 is not in their area.
    by_officer = (await d.say(officer, o_chat, "/sua 1 chet 3"))[0]
    assert by_officer == f"{FIXED_DANSO} (lần 3):\n• Sinh: 2\n• Chết: 3"
    assert (await d.say(officer, o_chat, "/sua 2 chet 1"))[0].startswith(
        "Báo cáo số 2 không phải của bạn"
    )
    # The numbers did not move, and the corrected report is still the collaborator's.
    assert (await d.say(collab, chat, "/cuatoi"))[0].splitlines()[:2] == [
        "Báo cáo gần đây của bạn (1):",
        "• Số 1 (08:00 23/11): Biến động dân số, Thôn Sơn Ninh, tháng 11/2026 – Sinh 2, Chết 3",
    ]
