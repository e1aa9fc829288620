"""/trogiup for every kind of person, privately and in a group, on Telegram and Zalo: their main
command first, one example each from the deployment's own tree, never staff's commands to a
collaborator, and Zalo's group limits where they apply."""

from __future__ import annotations

import re
from typing import Any

from bot.core.models import Role
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import Person, World

MENTION = "@Bot Dân số "  # a Zalo bot hears a group message only when it is named

# role: (the first command listed, commands it must list, commands it must not list);
# "STAFF" stands for every command a collaborator may not use.
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "collaborator": ("baocao", {"sua", "cuatoi", "danhan", "hoi", "camnang", "dulieu"}, set()),
    "officer": (
        "thieu",
        {"chithi", "xacnhan", "duyet", "vaitro", "tonghop", "baocao"},
        {"nhatky", "dangky", "hoi"},
    ),
    "supervisor": (
        "tonghop",
        {"thieu", "xuat", "tinhtrang", "nguoi"},
        {"chithi", "xacnhan", "duyet", "baocao", "dangky", "nhatky"},
    ),
    "admin": ("vaitro", {"nhatky", "chithi", "duyet", "thieu"}, {"dangky"}),
    "newcomer": ("dangky", {"batdau", "dulieu", "lienket"}, {"baocao", "sua", "cuatoi", "hoi"}),
    "pending": ("toi", {"dangky", "dulieu"}, {"baocao", "sua", "cuatoi", "hoi", "danhan"}),
}


def listed(text: str) -> list[str]:
    """The commands a help text lists, one per line, in order."""
    return re.findall(r"^/(\w+)", text, re.MULTILINE)


async def _cast(world: World) -> tuple[dict[str, Person], Any]:
    """Everyone: the district team, a supervisor of the region, a newcomer and a person whose
    registration waits."""
    team = await district_team(world)
    d = world.driver
    sup, newcomer, mai = d.person("Giám sát Hùng"), d.person("Người mới"), d.person("Chị Mai")
    for p in (newcomer, sup):
        await d.say(p, d.private(p), "/batdau")
    await d.say(mai, d.private(mai), "/dangky Thôn Sơn Trung")
    number = re.search(r"mã số (\d+)", (await d.say(sup, d.private(sup), "/toi"))[0])
    assert number is not None
    await d.say(team.admin, d.private(team.admin), f"/vaitro {number[1]} giamsat R1")
    cast = {
        "collaborator": team.hoa, "officer": team.lan, "supervisor": sup, "admin": team.admin,
        "newcomer": newcomer, "pending": mai,
    }  # fmt: skip
    return cast, team


async def test_private_help_for_every_role(world: World) -> None:
    """Privately, each role sees its main command first and none of another role's."""
    cast, _ = await _cast(world)
    d = world.driver
    app = world.bot.app
    assert app is not None and app.dispatcher is not None
    staff = {
        c.name
        for c in app.dispatcher.command_list()
        if c.roles is not None and Role.COLLABORATOR not in c.roles
    } | {"xacnhan"}
    assert {"chithi", "duyet", "vaitro", "thieu", "nhatky", "tonghop"} <= staff
    for role, person in cast.items():
        replies = await d.say(person, d.private(person), "/trogiup")
        assert len(replies) == 1, f"{role}: one message (Zalo's limit is 2,000 characters)"
        text = replies[0]
        shown = listed(text)
        first, present, absent = EXPECTED[role]
        assert shown[0] == first, (role, shown)
        assert present <= set(shown), (role, present - set(shown))
        assert not absent & set(shown), (role, absent & set(shown))
        if role in ("collaborator", "newcomer", "pending"):
            assert not staff & set(shown), (role, staff & set(shown))
        assert "{" not in text and "gannhom" not in shown, "a group command, in private"
        assert len(shown) == len(set(shown)), "each command once"

    newcomer = (await d.say(cast["newcomer"], d.private(cast["newcomer"]), "/trogiup"))[0]
    assert newcomer.startswith("Bạn chưa là cộng tác viên.")
    assert "/dangky Tổ dân phố Trung Lương – " in newcomer, "an example from this tree"
    pending = (await d.say(cast["pending"], d.private(cast["pending"]), "/trogiup"))[0]
    assert pending.startswith("⏳ Đăng ký của bạn (Thôn Sơn Trung) đang chờ cán bộ duyệt.")
    officer = (await d.say(cast["officer"], d.private(cast["officer"]), "/trogiup"))[0]
    assert "/vaitro 12 ctv Thôn Sơn Ninh – " in officer, "a village of the officer's commune"
    assert "/camnang them, sua, xoa" in officer
    assert "\nLệnh chung: /toi · " in officer and "/dulieu" in officer, "everyday ones in a line"
    collaborator = await d.say(cast["collaborator"], d.private(cast["collaborator"]), "/help")
    assert "/camnang them" not in collaborator[0], "writing the handbook is for officers"


async def test_group_help_and_zalo_group_limits(world: World) -> None:
    """In the commune's group: the group's commands, the private ones named once; on Zalo the
    group's limits (mentions only, a photo's mention in its own caption)."""
    _, team = await _cast(world)
    d = world.driver
    if world.platform == "telegram":
        group, named = bind_huong_son_group(world, team), ""
    else:
        group, named = world.fake.group("Y tế Xã Hương Sơn"), MENTION

    collaborator = (await d.say(team.hoa, group, f"{named}/trogiup"))[0]
    shown = listed(collaborator)
    assert shown[0] == "baocao" and "lienket" not in shown, shown
    assert "Các lệnh khác (như /lienket" in collaborator
    officer = (await d.say(team.lan, group, f"{named}/trogiup"))[0]
    assert "gannhom" in listed(officer) and "chithi" not in listed(officer)
    assert "Các lệnh khác (như /chithi, /xacnhan): nhắn riêng cho tôi." in officer

    limits = "bot chỉ nhận được tin có nhắc @tên bot hoặc trả lời tin của bot"
    caption = "ghi @tên bot ngay trong chú thích của ảnh"
    if world.platform == "zalo":
        assert limits in collaborator and caption in collaborator
        assert limits in officer
    else:
        assert limits not in collaborator and limits not in officer
    private = (await d.say(team.hoa, d.private(team.hoa), "/trogiup"))[0]
    assert limits not in private, "only in a Zalo group"
