"""Zalo groups as Zalo now documents them (issue #17, section 9): a bot added to a Zalo group is
bound to an area with /gannhom like a Telegram group, and the reply states what a Zalo group
hears (mentions and replies only; a photo only with the mention in its own caption) and the
plan's groups per bot; the area's directives go to the group, not privately to the people it
covers; a fourth group on a free-plan bot is refused, and unbinding one frees its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_helpers import district_team
from tests.support.harness import ZALO_TOKEN, World, eventually

AT_BOT = "@Bot Dân số"  # Zalo passes a group message on only when it mentions the bot
TEXT = "Họp giao ban dân số lúc 8:00 thứ Hai tại trạm y tế xã."
HEARING = (
    "ℹ️ Nhóm Zalo còn đang thử nghiệm: bot chỉ nhận được tin có nhắc @tên bot hoặc trả lời tin "
    "của bot (tin đồn cũng chỉ theo dõi được trong những tin đó). Gửi ảnh thì ghi @tên bot ngay "
    "trong chú thích của ảnh, nếu không bot không nhận được ảnh."
)


def _bound(area: str, used: int) -> str:
    return (
        f"✅ Nhóm này đã gắn với {area}. Văn bản và nhắc việc của {area} sẽ gửi vào đây.\n\n"
        f"{HEARING}\n\n"
        f"Bot Zalo này gắn được tối đa 3 nhóm (gói miễn phí của Zalo: 3 nhóm mỗi bot), "
        f"đang gắn {used}."
    )


@pytest.mark.virtual_time
async def test_a_zalo_group_is_bound_and_gets_its_areas_directives(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    world = World("zalo", fake_zalo, tmp_path, clock)
    try:
        team = await district_team(world)
        d = world.driver
        group = fake_zalo.group("Y tế Xã Hương Sơn")
        assert await d.say(team.hoa, group, f"{AT_BOT} /gannhom Xã Hương Sơn") == [
            "Lệnh /gannhom chỉ dành cho: quản trị, cán bộ."
        ]
        bound = await d.say(team.lan, group, f"{AT_BOT} /gannhom xa huong son")
        assert bound == [_bound("Xã Hương Sơn", 1)]
        assert await d.say(team.lan, group, f"{AT_BOT} /gannhom") == [
            "Nhóm này đang gắn với Xã Hương Sơn."
        ]

        r_chat = d.private(team.region)
        preview = (await d.say(team.region, r_chat, f"/chithi all: {TEXT}"))[0]
        # Lan, Hoa and Tú are covered by the group; only Bình (another commune) privately.
        assert "• Zalo: 1 nhóm, 1 người nhắn riêng" in preview
        assert "Hạn mức Zalo (zalo1): tốn 2 tin" in preview
        await d.say(team.region, r_chat, "/xacnhan")

        def copies(chat: object) -> list[str]:
            return [t for t in d.texts(chat) if TEXT in t and "Xem trước" not in t]

        await eventually(lambda: bool(copies(group)), what="the group's copy")
        await eventually(lambda: bool(copies(d.private(team.binh))), what="Bình's copy")
        (copy,) = copies(group)
        # Zalo has no buttons, and in a group it hears only replies and mentions: so a reply.
        assert "👉 Trả lời tin này «ok 1»: ✅ Đã nhận" in copy
        for person in (team.lan, team.hoa, team.tu):
            assert copies(d.private(person)) == [], f"{person.name} got a private copy"

        sent = next(m for m in fake_zalo.sent(group) if TEXT in m.text)
        (acked,) = await d.say(team.hoa, group, "ok 1", reply_to=sent.message_id)
        assert acked.startswith("✅ Đã ghi nhận Chị Hoa đã nhận") and "số 1" in acked
        status = (await d.say(team.region, r_chat, "/tinhtrang 1"))[0]
        hs = next(line for line in status.splitlines() if line.startswith("• Xã Hương Sơn"))
        assert "đã nhận 1/3" in hs
    finally:
        await world.bot.stop()


@pytest.mark.virtual_time
async def test_a_fourth_group_is_refused_on_a_free_plan_bot(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """The bot's own cap (max_groups, 3 by default as on Zalo's free plan) refuses a fourth
    group; rebinding a bound group is no new group; `/gannhom bỏ` frees a place."""
    # Whether Zalo itself stops a free bot joining a fourth (beta) group is not documented:
    # here it lets it in, and the bot's own count is what refuses.
    fake_zalo.bots[ZALO_TOKEN].max_groups = 4
    world = World("zalo", fake_zalo, tmp_path, clock)
    try:
        team = await district_team(world)
        d = world.driver
        areas = ("Xã Hương Sơn", "Thôn Sơn Ninh", "Thôn Sơn Trung", "Xã Hương Sơn")
        groups = [fake_zalo.group(f"Nhóm {n}") for n in range(4)]
        for used, (group, area) in enumerate(zip(groups[:3], areas, strict=False), start=1):
            assert await d.say(team.lan, group, f"{AT_BOT} /gannhom {area}") == [
                _bound(area, used)
            ]

        fourth = groups[3]
        refused = await d.say(team.lan, fourth, f"{AT_BOT} /gannhom Xã Hương Sơn")
        assert refused == [
            "Chưa gắn nhóm: bot Zalo này đã gắn đủ 3 nhóm, mức tối đa của gói Zalo của bot "
            "(gói miễn phí: 3 nhóm mỗi bot). Các nhóm đang gắn: Thôn Sơn Ninh, Thôn Sơn Trung, "
            "Xã Hương Sơn. Gõ /gannhom bỏ trong một nhóm không dùng nữa để gỡ nhóm đó, hoặc "
            "dùng một bot Zalo khác cho nhóm này."
        ]
        assert await d.say(team.lan, fourth, f"{AT_BOT} /gannhom") == [
            "Dùng: /gannhom <tên hoặc mã địa bàn>\nVí dụ: /gannhom Xã Hương Sơn\n"
            "Gỡ nhóm khỏi địa bàn: /gannhom bỏ"
        ], "nothing was bound"
        # A group already bound is no new group: it may be bound again at the cap.
        again = await d.say(team.lan, groups[0], f"{AT_BOT} /gannhom Xã Hương Sơn")
        assert again == [_bound("Xã Hương Sơn", 3)]

        assert await d.say(team.hoa, groups[2], f"{AT_BOT} /gannhom bỏ") == [
            "Lệnh /gannhom chỉ dành cho: quản trị, cán bộ."
        ]
        assert await d.say(team.lan, groups[2], f"{AT_BOT} /gannhom bỏ") == [
            "Đã gỡ nhóm này khỏi Thôn Sơn Trung. Văn bản và nhắc việc của Thôn Sơn Trung sẽ "
            "không gửi vào đây nữa mà nhắn riêng từng người."
        ]
        assert await d.say(team.lan, groups[2], f"{AT_BOT} /gannhom bo") == [
            "Nhóm này chưa gắn với địa bàn nào."
        ]
        assert await d.say(team.lan, fourth, f"{AT_BOT} /gannhom Xã Hương Sơn") == [
            _bound("Xã Hương Sơn", 3)
        ]
        app = world.bot.app
        assert app is not None and app.store is not None
        actions = [e.action for e in app.store.audit.recent(20)]
        assert actions.count("group.unbind") == 1 and actions.count("group.bind") == 5
    finally:
        await world.bot.stop()
