"""Returning a report end to end on Telegram and Zalo: the officer returns it by its number, the
collaborator is told privately with the reason and the line to send, corrects it, and the
officer hears of it; or the officer accepts it as it was; who may return, and the refusals."""

from __future__ import annotations

from typing import Any

from bot.app.runtime import App
from bot.core.events import Event
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually

ABOUT = "báo cáo số 1 (Biến động dân số – Thôn Sơn Ninh, tháng 11/2026)"


def _app(world: World) -> App:
    app = world.bot.app
    assert app is not None and app.services is not None
    return app


async def told(world: World, chat: Any, marker: str) -> Any:
    """The bot's message in `chat` containing `marker`, once the outbox has sent it."""
    fake = world.fake

    def found() -> Any:
        return next((m for m in fake.sent(chat) if marker in m.text), None)

    await eventually(lambda: found() is not None, what=f"{marker!r} in the chat")
    return found()


async def test_returned_told_corrected_and_the_officer_told(world: World) -> None:
    """The issue's scenario: Lan returns Hoa's report 1 with a reason; Hoa is told privately,
    with the report and the correction to send; the mark survives a restart; Hoa's correction
    clears it, her echo says Lan was told, and Lan is told what changed; audited, and the
    `report.returned` event is announced for the outgoing webhooks."""
    team = await district_team(world)
    d = world.driver
    hoa, lan = d.private(team.hoa), d.private(team.lan)
    heard: list[Event] = []
    _app(world).services.reports.events.subscribe(heard.append)  # type: ignore[attr-defined]
    await d.say(team.hoa, hoa, "/bc sinh 2 chet 1")

    sent = await d.say(team.lan, lan, "/tralai 1 Số chết chưa khớp sổ A0")
    assert sent == [
        f"↩️ Đã trả lại {ABOUT} cho Chị Hoa (nhắn riêng).\nLý do: Số chết chưa khớp sổ A0\n"
        "Khi có bản sửa tôi sẽ báo bạn. Giữ nguyên như đã gửi: /chapnhan 1"
    ]
    notice = await told(world, hoa, "trả lại báo cáo số 1")
    assert notice.text.splitlines() == [
        f"↩️ Cán bộ Lan trả lại {ABOUT} để bạn xem lại.",
        "Lý do: Số chết chưa khớp sổ A0",
        "Báo cáo đang là:",
        "• Sinh: 2",
        "• Chết: 1",
        "Sửa rồi gửi lại bằng một tin (đổi số cho đúng):",
        "/sua 1 chết 1",
    ]
    returned = [e for e in heard if e.type == "report.returned"]
    assert len(returned) == 1
    event = returned[0]
    assert event.reason == "Số chết chưa khớp sổ A0"  # type: ignore[union-attr]
    assert event.report.number == 1 and event.actor == int(team.ids["Cán bộ Lan"])  # type: ignore[union-attr]
    waiting = (await d.say(team.lan, lan, "/tralai"))[0]
    assert waiting.splitlines()[:2] == [
        "↩️ Báo cáo đang trả lại, chờ sửa (1):",
        "• Số 1 – Thôn Sơn Ninh, Biến động dân số tháng 11/2026: Số chết chưa khớp sổ A0 "
        "(Cán bộ Lan, 08:00 23/11)",
    ]

    mine = (await d.say(team.hoa, hoa, "/cuatoi"))[0]
    assert mine.split("\n\n")[-1] == (
        "↩️ Số 1 bị Cán bộ Lan trả lại: Số chết chưa khớp sổ A0\nSửa: /sua 1 chết 1"
    )

    if world.platform == "zalo":  # (a Telegram restart waits out its long poll: slower)
        await world.restart()  # the mark is in the store, not in memory
    fixed = (await d.say(team.hoa, hoa, "/sua 1 chet 2"))[0]
    assert fixed.splitlines()[-1] == "👍 Đã báo Cán bộ Lan: báo cáo đã được sửa."
    corrected = await told(world, lan, "đã sửa báo cáo số 1")
    assert corrected.text.splitlines() == [
        f"✏️ Chị Hoa đã sửa {ABOUT} mà bạn trả lại (lần 2):",
        "• Chết: 1 → 2",
    ] + ([] if world.platform == "telegram" else ["", "👉 Gõ «/tralai 1»: ↩️ Trả lại"])
    if world.platform == "telegram":
        assert corrected.buttons == ((("↩️ Trả lại", "tralai:1"),),)
    assert await d.say(team.lan, lan, "/tralai") == [
        "Không có báo cáo nào đang trả lại trong địa bàn của bạn.\n"
        "Trả lại báo cáo để cộng tác viên sửa: /tralai <số báo cáo> <lý do>, ví dụ /tralai 12 "
        "Số chết chưa khớp sổ. Trên Telegram có thể trả lời tin báo cáo bằng /tralai <lý do>. "
        "Giữ nguyên như đã gửi: /chapnhan <số>."
    ]
    trail = (await d.say(team.admin, d.private(team.admin), "/nhatky 1"))[0]
    assert trail.splitlines()[1].endswith(
        " · Cán bộ Lan · trả lại báo cáo: báo cáo số 1 (Thôn Sơn Ninh, 2026-11) · chat riêng"
    )


async def test_who_may_return_ask_for_a_reason_and_accept_as_it_was(world: World) -> None:
    """Only an officer over the village returns (the region's officer too); a number alone asks
    for the reason; `ok` (or /chapnhan) keeps the report as it was and Hoa is told; a report
    from another commune, an unknown number and a collaborator are refused."""
    team = await district_team(world)
    d = world.driver
    hoa, lan, region = d.private(team.hoa), d.private(team.lan), d.private(team.region)
    await d.say(team.hoa, hoa, "/bc sinh 2 chet 1")  # no. 1
    await d.say(team.binh, d.private(team.binh), "/bc sinh 1")  # no. 2, Phường Bắc Hồng Lĩnh

    assert await d.say(team.lan, lan, "/tralai 2 Sai số sinh") == [
        "Báo cáo số 2 của Tổ dân phố Trung Lương, ngoài địa bàn của bạn: chỉ cán bộ phụ "
        "trách thôn này mới trả lại, chấp nhận hay duyệt được."
    ]
    assert await d.say(team.lan, lan, "/tralai 9 Sai") == ["Không có báo cáo số 9."]
    assert await d.say(team.hoa, hoa, "/tralai 1 Sai") == [
        "Lệnh /tralai chỉ dành cho: quản trị, cán bộ."
    ]
    by_region = (await d.say(team.region, region, "/tralai 2 Kiểm tra lại số sinh"))[0]
    assert by_region.startswith(
        "↩️ Đã trả lại báo cáo số 2 (Biến động dân số – Tổ dân phố Trung Lương, tháng 11/2026) "
        "cho Anh Bình (nhắn riêng)."
    )

    question = await d.say(team.lan, lan, "/tralai 1")
    assert question == [
        f"Lý do trả lại {ABOUT}? Gõ lý do, ví dụ: Số chết chưa khớp sổ. "
        "Gõ «ok» để giữ nguyên như đã gửi."
    ]
    answered = (await d.say(team.lan, lan, "Sinh con trai, gái chưa ghi"))[0]
    assert answered.startswith(f"↩️ Đã trả lại {ABOUT} cho Chị Hoa (nhắn riêng).")
    notice = await told(world, hoa, "Sinh con trai, gái chưa ghi")
    assert notice.text.endswith("\n/sua 1 sinh 2, chết 1"), "no field named: every field"

    kept = await d.say(team.lan, lan, "/tralai 1 ok")
    assert kept == [f"✅ Đã chấp nhận {ABOUT} như đã gửi, và đã báo Chị Hoa."]
    await told(world, hoa, "đã chấp nhận báo cáo số 1")
    assert d.texts(hoa)[-1] == (
        f"✅ Cán bộ Lan đã chấp nhận {ABOUT} như bạn đã gửi, không cần sửa nữa."
    )
    assert await d.say(team.lan, lan, "/chapnhan 1") == [
        "Báo cáo số 1 không bị trả lại, nên không cần chấp nhận."
    ]
    await d.say(team.lan, lan, "/tralai 1 Xem lại số chết")
    assert (await d.say(team.lan, lan, "/chapnhan 1"))[0].startswith(f"✅ Đã chấp nhận {ABOUT}")
    await d.say(team.hoa, hoa, "/huybaocao 1")
    assert await d.say(team.lan, lan, "/tralai 1 Sai") == [
        "Báo cáo số 1 đã hủy, không còn được tính nên không cần trả lại."
    ]
    trail = (await d.say(team.admin, d.private(team.admin), "/nhatky 5"))[0].splitlines()
    actions = [line.split(" · ")[2] for line in trail[1:]]
    assert actions[:2] == [
        "chấp nhận báo cáo đã trả lại: báo cáo số 1 (Thôn Sơn Ninh, 2026-11)",
        "trả lại báo cáo: báo cáo số 1 (Thôn Sơn Ninh, 2026-11)",
    ]
