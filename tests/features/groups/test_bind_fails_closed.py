"""/gannhom fails closed: when Telegram cannot answer getChatMember (whether the officer is a
group admin, or whether the bot can read the group), nothing is bound, and the officer reads why
and how to retry; the retry binds."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.harness import Person, World

REFUSAL = (
    "⚠️ Chưa gắn nhóm: bot chưa hỏi được Telegram về quyền của bạn và của bot trong nhóm này. "
    "Hãy thử lại sau một phút. Nếu vẫn không được, kiểm tra bot còn trong nhóm "
    "(tốt nhất là quản trị viên của nhóm)."
)
USAGE = (
    "Dùng: /gannhom <tên hoặc mã địa bàn>\nVí dụ: /gannhom Xã Hương Sơn\n"
    "Gỡ nhóm khỏi địa bàn: /gannhom bỏ"
)
BOUND = "✅ Nhóm này đã gắn với Xã Hương Sơn."


async def _officer(world: World) -> Person:
    d = world.driver
    admin, officer = d.person("Quản trị"), d.person("Cán bộ Lan")
    await world.start(admins=[admin])
    await d.say(officer, d.private(officer), "/batdau")
    me = (await d.say(officer, d.private(officer), "/toi"))[0]
    number = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    await d.say(admin, d.private(admin), f"/vaitro {number} canbo Xã Hương Sơn")
    return officer


def _member_calls(world: World) -> list[dict[str, Any]]:
    return [e.params for e in world.fake.log.entries if e.method.lower() == "getchatmember"]


@pytest.mark.parametrize(
    ("status", "description"),
    [(500, "Internal Server Error"), (429, "Too Many Requests: retry after 5")],
)
async def test_officer_check_that_fails_binds_nothing(
    tg_world: World, status: int, description: str
) -> None:
    officer = await _officer(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = fake.group(-1001234567890, "Nhóm y tế Xã Hương Sơn", admins=[officer.handle])
    fake.fail_next(
        "getChatMember", status=status, description=description,
        retry_after=5 if status == 429 else None,
    )  # fmt: skip
    assert await d.say(officer, group, "/gannhom Xã Hương Sơn") == [REFUSAL]
    assert len(_member_calls(tg_world)) == 1
    assert await d.say(officer, group, "/gannhom") == [USAGE]  # nothing was stored
    again = await d.say(officer, group, "/gannhom Xã Hương Sơn")
    assert len(again) == 1 and again[0].startswith(BOUND)


async def test_bot_hearing_check_that_fails_binds_nothing(tg_world: World) -> None:
    """The officer's rights are confirmed; the second question (can the bot read the group?)
    fails: the binding must not be stored behind the officer's back."""
    officer = await _officer(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = fake.group(-1001234567890, "Nhóm y tế Xã Hương Sơn", admins=[officer.handle])
    armed = False

    async def fail_the_next_member_call(method: str, params: dict[str, Any]) -> None:
        nonlocal armed
        if method.lower() == "getchatmember" and not armed:
            armed = True  # the officer's answer goes out; the bot's own question fails
            fake.fail_next("getChatMember", status=502, description="Bad Gateway")

    fake.hold = fail_the_next_member_call
    try:
        assert await d.say(officer, group, "/gannhom Xã Hương Sơn") == [REFUSAL]
    finally:
        fake.hold = None
    calls = _member_calls(tg_world)
    assert len(calls) == 2 and str(calls[1]["user_id"]) != str(calls[0]["user_id"])
    assert await d.say(officer, group, "/gannhom") == [USAGE]
    again = await d.say(officer, group, "/gannhom Xã Hương Sơn")
    assert len(again) == 1 and again[0].startswith(BOUND)
    assert "/setprivacy" in again[0]  # the hearing note, now that Telegram answered
