"""What the officers read of returned reports (`/thieu`, the digest and its spreadsheet, apart
from the missing villages and counted per commune), and a period marked as checked whose later
changes are flagged to the officer who checked it; on Telegram and Zalo."""

from __future__ import annotations

import io

import openpyxl

from bot.core.clock import ManualClock
from tests.features.review.test_return import ABOUT, _app, told
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually


async def test_missing_and_the_digest_show_returned_reports_apart(world: World) -> None:
    """Hoa and Bình reported, Tú did not; Lan returned Hoa's report: `/thieu` lists Tú as
    missing and Hoa's report apart, the region's digest counts it under Xã Hương Sơn, and the
    digest's spreadsheet marks the village and counts it in the commune's subtotal."""
    team = await district_team(world)
    d = world.driver
    lan = d.private(team.lan)
    await d.say(team.hoa, d.private(team.hoa), "/bc sinh 2 chet 1")
    await d.say(team.binh, d.private(team.binh), "/bc sinh 1")
    await d.say(team.lan, lan, "/tralai 1 Số chết chưa khớp")

    missing = (await d.say(team.lan, lan, "/thieu"))[0]
    assert missing.split("\n\n") == [
        "1 thôn của Xã Hương Sơn chưa báo cáo Biến động dân số tháng 11/2026:\n"
        "• Thôn Sơn Trung: Anh Tú",
        "↩️ 1 báo cáo đã trả lại, chờ sửa:\n"
        "• Thôn Sơn Ninh: số 1 – Số chết chưa khớp (Cán bộ Lan, 08:00 23/11)",
    ]

    services = _app(world).services
    digests = services.digests
    data = digests.build("R1", services.reports.today())
    text = digests.text.render(data, "vi")
    assert "Đã báo cáo: 2/3 thôn (67%) – 1 trả lại" in text
    assert "• Xã Hương Sơn: 1/2 – 1 trả lại" in text
    assert "• Phường Bắc Hồng Lĩnh: 1/1\n" in text, "no returned report there"
    assert (
        "↩️ Báo cáo trả lại, chờ sửa (1):\n• Thôn Sơn Ninh (Xã Hương Sơn): số 1 (Cán bộ Lan, 23/11)"
    ) in text
    assert "Chưa báo cáo (1):\n• Thôn Sơn Trung (Xã Hương Sơn): Anh Tú" in text

    book = openpyxl.load_workbook(io.BytesIO(digests.spreadsheet(data, "vi").data))
    cells = [row for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    status = {row[3]: row[4] for row in cells if row[2]}  # village name → its status cell
    assert status["Thôn Sơn Ninh"] == "Trả lại, chờ sửa"
    assert status["Thôn Sơn Trung"] == "Chưa báo cáo"
    commune = next(row for row in cells if row[1] == "Cộng Xã Hương Sơn")
    assert commune[4] == "1/2 thôn đã báo cáo, 1 trả lại"

    # Corrected: nothing waits any more, in /thieu or in the digest.
    await d.say(team.hoa, d.private(team.hoa), "/sua 1 chet 2")
    # The officer is told of the correction through the outbox: let that come before /thieu,
    # so that /thieu's answer is the message read below.
    await eventually(lambda: any("mà bạn trả lại" in t for t in d.texts(lan)), what="notice")
    assert "trả lại" not in (await d.say(team.lan, lan, "/thieu"))[0]
    again = digests.text.render(digests.build("R1", services.reports.today()), "vi")
    assert "trả lại" not in again


async def test_a_checked_period_flags_what_changes_after(world: World, clock: ManualClock) -> None:
    """Lan marks Thôn Sơn Ninh's November as checked; Hoa's correction afterwards is stored as
    a new version and flagged to Lan with what changed, and so is a new report; an empty
    period and a village outside her area are refused; the check is audited."""
    team = await district_team(world)
    d = world.driver
    hoa, lan = d.private(team.hoa), d.private(team.lan)
    await d.say(team.hoa, hoa, "/bc sinh 2 chet 1")

    assert await d.say(team.lan, lan, "/daduyet Thôn Sơn Trung") == [
        "Thôn Sơn Trung chưa có báo cáo nào tháng 11/2026, nên chưa có gì để duyệt. Duyệt kỳ "
        "có báo cáo, ví dụ: /daduyet Thôn Sơn Trung tháng 11/2026"
    ]
    assert await d.say(team.lan, lan, "/daduyet Tổ dân phố Trung Lương") == [
        "Tổ dân phố Trung Lương ngoài địa bàn của bạn: chỉ cán bộ phụ trách thôn này mới "
        "duyệt được."
    ]
    checked = await d.say(team.lan, lan, "/daduyet thon son ninh thang 11")
    assert checked == [
        "✅ Đã đánh dấu đã duyệt Thôn Sơn Ninh, tháng 11/2026 (1 báo cáo). Nếu có ai gửi thêm, "
        "sửa hay hủy báo cáo của kỳ này, tôi sẽ báo bạn."
    ]

    clock.advance(hours=2)
    fixed = (await d.say(team.hoa, hoa, "/sua 1 chet 3"))[0]
    assert fixed.startswith("✏️ Đã sửa báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026 "
                            "(lần 2)"), "stored as a new version, as always"  # fmt: skip
    flag = await told(world, lan, "vừa được Chị Hoa sửa")
    assert flag.text.splitlines()[:2] == [
        "⚠️ Báo cáo số 1 (Biến động dân số – Thôn Sơn Ninh, tháng 11/2026) vừa được Chị Hoa "
        "sửa (lần 2), sau khi bạn duyệt kỳ này lúc 08:00 23/11:",
        "• Chết: 1 → 3",
    ]
    if world.platform == "telegram":
        assert flag.buttons == ((("↩️ Trả lại", "tralai:1"),),), "return it from the flag"
    await d.say(team.hoa, hoa, "/bc sinh 1")  # a new event of the checked month
    added = await told(world, lan, "vừa gửi báo cáo mới số 2")
    assert added.text.splitlines()[1:2] == ["• Sinh: 1"]

    again = await d.say(team.lan, lan, "/tralai 1 Số chết lại sai")  # from the flag's number
    assert again[0].startswith(f"↩️ Đã trả lại {ABOUT} cho Chị Hoa")
    rechecked = (await d.say(team.lan, lan, "/daduyet 1"))[0]
    assert rechecked.splitlines() == [
        "✅ Đã duyệt lại Thôn Sơn Ninh, tháng 11/2026 (2 báo cáo). Nếu có ai gửi thêm, sửa hay "
        "hủy báo cáo của kỳ này, tôi sẽ báo bạn.",
        "Lưu ý: còn 1 báo cáo đang trả lại chờ sửa (số 1).",
    ]
    trail = (await d.say(team.admin, d.private(team.admin), "/nhatky 1"))[0]
    assert trail.splitlines()[1].endswith(
        " · Cán bộ Lan · đánh dấu đã duyệt: Thôn Sơn Ninh (2026-11) · chat riêng"
    )
