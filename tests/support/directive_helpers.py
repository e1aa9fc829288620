"""A district team for directive scenarios: who is who, registered and given roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.support.harness import Person, World


@dataclass(frozen=True)
class Team:
    admin: Person
    region: Person  # officer of the health region (both communes)
    lan: Person  # officer of Xã Hương Sơn
    hoa: Person  # collaborator, Thôn Sơn Ninh (Xã Hương Sơn)
    tu: Person  # collaborator, Thôn Sơn Trung (Xã Hương Sơn)
    binh: Person  # collaborator, Tổ dân phố Trung Lương (Phường Bắc Hồng Lĩnh)
    ids: dict[str, str]


async def district_team(world: World, **config: Any) -> Team:
    """Start the bot and register everyone; each has written to the bot privately."""
    d = world.driver
    admin = d.person("Quản trị")
    people = [
        d.person(n) for n in ("Cán bộ Khu vực", "Cán bộ Lan", "Chị Hoa", "Anh Tú", "Anh Bình")
    ]
    await world.start(admins=[admin], **config)
    await d.say(admin, d.private(admin), "/batdau")
    ids: dict[str, str] = {}
    for p in people:
        await d.say(p, d.private(p), "/batdau")
        me = (await d.say(p, d.private(p), "/toi"))[0]
        ids[p.name] = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    region, lan, hoa, tu, binh = people
    for person, role, area in (
        (region, "canbo", "R1"), (lan, "canbo", "Xã Hương Sơn"), (hoa, "ctv", "Thôn Sơn Ninh"),
        (tu, "ctv", "Thôn Sơn Trung"), (binh, "ctv", "Tổ dân phố Trung Lương"),
    ):  # fmt: skip
        await d.say(admin, d.private(admin), f"/vaitro {ids[person.name]} {role} {area}")
    return Team(admin, region, lan, hoa, tu, binh, ids)


def bind_huong_son_group(world: World, team: Team, *, bot_is_admin: bool = True) -> Any:
    """The Telegram group of Xã Hương Sơn, with its officer and both collaborators."""
    return world.fake.group(
        -1001000000133, "Y tế Xã Hương Sơn", admins=[team.lan.handle],
        members=[team.hoa.handle, team.tu.handle], bot_is_admin=bot_is_admin,
    )  # fmt: skip
