"""The role matrix of COMMANDS.md: every command × every role × group or private chat is allowed
or refused as its who and where columns say; area-scoped commands refuse another commune; roles
come from ids, never from names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.directive_helpers import district_team
from tests.support.harness import Person, World, eventually

ANYONE = {"newcomer", "collaborator", "officer", "supervisor", "admin"}
COLLAB, OFFICER, SUPERVISOR = "collaborator", "officer", "supervisor"

# command → (who may, where: "G", "P" or "GP"), from COMMANDS.md (admins may everything).
# /dangky in a group is answered privately; /ngonngu is ours (choose English), anyone, anywhere.
MATRIX: dict[str, tuple[set[str], str]] = {
    "batdau": (ANYONE, "GP"),
    "dulieu": (ANYONE, "GP"),
    "dongy": (ANYONE, "GP"),
    "trogiup": (ANYONE, "GP"),
    "toi": (ANYONE, "GP"),
    "ngonngu": (ANYONE, "GP"),
    "dangky": (ANYONE, "GP"),
    "duyet": ({OFFICER}, "P"),
    "vaitro": ({OFFICER}, "P"),
    "gannhom": ({OFFICER}, "G"),
    "lienket": (ANYONE, "P"),
    "baocao": ({COLLAB, OFFICER}, "GP"),
    "sua": ({COLLAB, OFFICER}, "GP"),
    "huybaocao": ({COLLAB, OFFICER}, "GP"),
    "cuatoi": ({COLLAB, OFFICER}, "GP"),
    "thieu": ({OFFICER, SUPERVISOR}, "GP"),
    "tralai": ({OFFICER}, "GP"),
    "chapnhan": ({OFFICER}, "GP"),
    "daduyet": ({OFFICER}, "GP"),
    "chithi": ({OFFICER}, "P"),
    "xacnhan": (ANYONE, "P"),
    "danhan": ({COLLAB, OFFICER}, "GP"),
    "tinhtrang": ({OFFICER, SUPERVISOR}, "P"),
    "nhac": ({OFFICER}, "P"),
    "vang": ({COLLAB, OFFICER}, "P"),
    "tonghop": ({OFFICER, SUPERVISOR}, "P"),
    "xuat": ({OFFICER, SUPERVISOR}, "P"),
    "huy": (ANYONE, "GP"),
    "hoi": ({COLLAB}, "GP"),
    "traloi": ({OFFICER}, "P"),
    "camnang": (ANYONE, "GP"),  # anyone reads; writing is checked by the service
    "dinhchinh": ({OFFICER}, "P"),
    "khaosat": ({OFFICER}, "P"),
    "moilai": ({OFFICER}, "P"),
    "thaythe": ({OFFICER}, "P"),
    "ngung": ({OFFICER}, "P"),
    "nguoi": ({OFFICER, SUPERVISOR}, "P"),
    "nhatky": (set(), "P"),  # admins only
}


def expected(command: str, role: str, place: str) -> str:
    who, where = MATRIX[command]
    if place not in where:
        return "place"
    if role != "admin" and role not in who:
        return "role"
    return "ok"


def outcome(command: str, texts: list[str]) -> str:
    if any(t.startswith(f"Lệnh /{command} chỉ dùng") for t in texts):
        return "place"
    if any(t.startswith(f"Lệnh /{command} chỉ dành cho") for t in texts):
        return "role"
    return "ok"


async def _ask(world: World, person: Person, chat: Any, text: str) -> list[str]:
    """Everything the bot answered, in this chat and privately (some answers go there)."""
    d = world.driver
    private = d.private(person)
    before = (len(d.texts(chat)), len(d.texts(private)))
    handled = world.bot.handled
    await d.type(person, chat, text)
    await eventually(lambda: world.bot.handled > handled, what=f"{text!r} handled")
    new = d.texts(chat)[before[0] :]
    if chat is not private:
        new += d.texts(private)[before[1] :]
    return new


async def test_every_command_for_every_role_in_each_place(tg_world: World) -> None:
    team = await district_team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    newcomer = d.person("Người mới")
    sup = d.person("Giám sát Hùng")
    for p in (newcomer, sup):
        await d.say(p, d.private(p), "/batdau")
    number = (await d.say(sup, d.private(sup), "/toi"))[0].split("mã số ")[1].split()[0]
    await d.say(team.admin, d.private(team.admin), f"/vaitro {number} giamsat R1")
    group = fake.group(
        -1001000000133, "Y tế Xã Hương Sơn", admins=[team.lan.handle, team.admin.handle],
        members=[team.hoa.handle, newcomer.handle, sup.handle], bot_is_admin=True,
    )  # fmt: skip
    cast = {"newcomer": newcomer, COLLAB: team.hoa, OFFICER: team.lan, SUPERVISOR: sup,
            "admin": team.admin}  # fmt: skip
    registered = {c.name for c in tg_world.bot.app.dispatcher.command_list()}  # type: ignore[union-attr]
    assert set(MATRIX) == registered, set(MATRIX) ^ registered
    wrong = []
    for command in MATRIX:
        for role, person in cast.items():
            for place, chat in (("P", d.private(person)), ("G", group)):
                texts = await _ask(tg_world, person, chat, f"/{command}")
                got, want = outcome(command, texts), expected(command, role, place)
                if got != want:
                    wrong.append(f"/{command} {role} {place}: {want} expected, got {got} {texts}")
                await _ask(tg_world, person, d.private(person), "/huy")  # leave any form
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("/thieu Phường Bắc Hồng Lĩnh", "không thuộc địa bàn"),
        ("/chithi Phường Bắc Hồng Lĩnh: Họp", "nằm ngoài"),
        ("/nhac them hang ngay luc 7:00 tai Phường Bắc Hồng Lĩnh: Họp", "nằm ngoài"),
        ("/tonghop Phường Bắc Hồng Lĩnh", "không thuộc địa bàn"),
        ("/bc sinh 1 Tổ dân phố Trung Lương", "không phụ trách"),
    ],
)
async def test_an_officer_acts_only_on_their_own_area(
    tg_world: World, text: str, refusal: str
) -> None:
    team = await district_team(tg_world)
    d = tg_world.driver
    own = text.replace("Phường Bắc Hồng Lĩnh", "Xã Hương Sơn").replace(
        "Tổ dân phố Trung Lương", "Thôn Sơn Ninh"
    )
    mine = await _ask(tg_world, team.lan, d.private(team.lan), own)
    assert mine and not any(refusal in t for t in mine), mine
    other = await _ask(tg_world, team.lan, d.private(team.lan), text)
    assert any(refusal in t for t in other), other


async def test_a_name_gives_no_rights_and_a_zalo_id_is_per_bot(world: World) -> None:
    team = await district_team(world)
    d = world.driver
    impostor = d.person("Cán bộ Lan")  # the officer's display name, another account
    await d.say(impostor, d.private(impostor), "/batdau")
    assert await d.say(impostor, d.private(impostor), "/chithi all: Họp") == [
        "Lệnh /chithi chỉ dành cho: quản trị, cán bộ."
    ]
    if world.platform == "zalo":
        # The same numeric user id seen through another bot is another identity.
        assert team.lan.key.startswith("zalo:zalo1:")
        other_bot = team.lan.key.replace("zalo:zalo1:", "zalo:zalo2:")
        app = world.bot.app
        assert app is not None and app.store is not None
        assert app.store.people.by_account(other_bot) is None
