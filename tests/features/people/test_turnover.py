"""Turnover over the fake Telegram: a lost phone re-invited (/moilai), a village's collaborator
replaced (/thaythe), a person deactivated (/ngung), and who cannot be reached (/nguoi)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.clock import ManualClock
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_helpers import district_team
from tests.support.harness import World


async def test_officer_moves_replaces_deactivates_and_sees_who_is_unreachable(
    tg_world: World,
) -> None:
    team = await district_team(tg_world)
    d, fake, app = tg_world.driver, tg_world.fake, tg_world.bot.app
    assert app is not None and app.store is not None
    store = app.store
    lan = d.private(team.lan)
    hoa_id, tu_id = team.ids["Chị Hoa"], team.ids["Anh Tú"]

    # Chị Hoa lost her phone: a fresh invite, redeemed by her new account, replaces the old one.
    issued = (await d.say(team.lan, lan, f"/moilai {hoa_id}"))[0]
    code = re.search(r"\): ([A-Z0-9]{8}) \(", issued).group(1)  # type: ignore[union-attr]
    assert f"/batdau {code}" in issued and "tài khoản Telegram cũ" in issued
    new_phone = d.person("Chị Hoa")
    welcome = await d.say(new_phone, d.private(new_phone), f"/start {code}")
    assert welcome[0].startswith(f"✅ Chào Chị Hoa (mã số {hoa_id})")
    assert "cộng tác viên Thôn Sơn Ninh" in welcome[0]
    assert store.people.by_account(team.hoa.key) is None
    assert [a.key for a in store.people.get(int(hoa_id)).accounts] == [new_phone.key]  # type: ignore[union-attr]
    again = await d.say(team.tu, d.private(team.tu), f"/start {code}")
    assert "đã được dùng" in again[0]

    # A newcomer who only ever wrote in the commune's group replaces her in Thôn Sơn Ninh.
    moi = d.person("Anh Mới")
    group = fake.group(
        -1001000000177, "Y tế Hương Sơn", admins=[team.lan.handle], members=[moi.handle]
    )
    await d.say(moi, group, "/batdau")
    moi_id = store.people.by_account(moi.key).id  # type: ignore[union-attr]
    done = await d.say(team.lan, lan, f"/thaythe thon son ninh {moi_id}")
    assert done == [
        f"✅ Anh Mới (#{moi_id}) là cộng tác viên Thôn Sơn Ninh, thay cho: Chị Hoa (#{hoa_id}). "
        "Lịch sử báo cáo cũ vẫn được giữ."
    ]
    assert "không còn là cộng tác viên Thôn Sơn Ninh" in d.texts(d.private(new_phone))[-1]
    assert store.people.get(int(hoa_id)).roles == ()  # type: ignore[union-attr]

    roster = (await d.say(team.lan, lan, "/nguoi"))[0]
    assert roster.startswith("Người ở Xã Hương Sơn: 3; chưa nhắn riêng được: 1.")
    lines = roster.splitlines()
    assert lines[1] == (
        f"#{moi_id} Anh Mới – cộng tác viên Thôn Sơn Ninh – Telegram ⚠️ chưa nhắn riêng cho bot"
    )
    assert any(
        line.startswith(f"#{tu_id} Anh Tú – cộng tác viên Thôn Sơn Trung") for line in lines
    )

    # Anh Tú leaves: deactivated, his messages refused, his record kept.
    gone = await d.say(team.lan, lan, f"/ngung {tu_id}")
    assert gone[0].startswith(f"Đã ngừng Anh Tú (#{tu_id})")
    refused = await d.say(team.tu, d.private(team.tu), "/toi")
    assert refused == [
        "Tài khoản của bạn đã ngừng hoạt động. Nếu có nhầm lẫn, hãy liên hệ cán bộ xã."
    ]
    assert store.people.get(int(tu_id)) is not None

    # An officer acts only on collaborators of their own area.
    other = await d.say(team.lan, lan, f"/ngung {team.ids['Anh Bình']}")
    assert other == ["Tổ dân phố Trung Lương không thuộc địa bàn của bạn."]
    officer = await d.say(team.lan, lan, f"/ngung {team.ids['Cán bộ Khu vực']}")
    assert officer[0].startswith("Chỉ quản trị viên mới thay đổi được Cán bộ Khu vực")
    assert (await d.say(team.lan, lan, "/moilai"))[0].startswith("Dùng: /moilai")

    actions = [e.action for e in store.audit.recent(100)]
    for action in ("people.reinvite", "people.bind", "people.replace", "people.deactivate"):
        assert action in actions, action


async def test_a_lost_zalo_phone_is_replaced_through_the_same_bot(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """On Zalo the new account types the bare code to the bot that holds the person's seat."""
    world = World("zalo", fake_zalo, tmp_path, clock)
    try:
        team = await district_team(world)
        d = world.driver
        store = world.bot.app.store  # type: ignore[union-attr]
        issued = (await d.say(team.lan, d.private(team.lan), f"/moilai {team.ids['Chị Hoa']}"))[0]
        code = re.search(r"\): ([A-Z0-9]{8}) \(", issued).group(1)  # type: ignore[union-attr]
        assert f"tìm bot «zalo1», nhắn cho bot mã: {code}" in issued
        new_phone = d.person("Chị Hoa (máy mới)")
        welcome = await d.say(new_phone, d.private(new_phone), code[:4] + " " + code[4:])
        assert welcome[0].startswith(f"✅ Chào Chị Hoa (mã số {team.ids['Chị Hoa']})")
        hoa = store.people.get(int(team.ids["Chị Hoa"]))
        assert [a.key for a in hoa.accounts] == [new_phone.key]
        assert store.people.by_account(team.hoa.key) is None
    finally:
        await world.bot.stop()
