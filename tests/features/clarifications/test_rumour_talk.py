"""The rumour watch on everyday talk, end to end (issue #22): a denial in everyday words is left
alone, a repetition in chat slang and a question are answered, a message the watch cannot tell
goes to the officers only, and an officer's "không phải tin đồn" (the button on Telegram, the
typed twin on Zalo) is kept, audited, and holds for messages of the same shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.clock import ManualClock
from tests.support.directive_helpers import Team, bind_huong_son_group, district_team
from tests.support.harness import World, eventually

ADD = (
    "/dinhchinh them tin đồn: vợ được lấy nhiều chồng; phụ nữ được lấy hai chồng\n"
    "đính chính: Luật Hôn nhân và gia đình giữ chế độ một vợ một chồng.\n"
    "nguồn: Sở Tư pháp"
)
REPLY = "ℹ️ Thông tin chính thức (đính chính số 1)"
ALERT = "🗣️ Tin đồn trong nhóm"
UNSURE = "🤔 Có thể là tin đồn trong nhóm"
SHAPE = "Ai bảo vợ được lấy nhiều chồng thì đọc lại Luật Hôn nhân và gia đình nhé"
SAME_SHAPE = "Ai bảo phụ nữ được lấy hai chồng thì đọc lại Luật Hôn nhân và gia đình nhé"
NEW_WORDING = "Phụ nữ giờ được có nhiều chồng cùng lúc, luật mới đấy"
MENTION = "@Bot Dân số "  # a Zalo bot hears a group message only when it is named


def _alerts(world: World, who: Any, marker: str = ALERT) -> list[str]:
    return [t for t in world.driver.texts(world.driver.private(who)) if marker in t]


async def _group_says(world: World, who: Any, group: Any, text: str) -> list[Any]:
    """`who` writes in the group; the bot's new messages there once it has handled it."""
    before, handled = len(world.fake.sent(group)), world.bot.handled
    if world.platform == "zalo":
        await world.fake.type_as(who.handle, group, MENTION + text)
    else:
        world.fake.type_as(who.handle, group, text)
    await eventually(lambda: world.bot.handled > handled, what=f"the bot to hear {text!r}")
    return world.fake.sent(group)[before:]


async def _watched_group(world: World) -> tuple[Team, Any]:
    team = await district_team(world)
    d = world.driver
    if world.platform == "telegram":
        group, named = bind_huong_son_group(world, team), ""
    else:
        group, named = world.fake.group("Y tế Xã Hương Sơn"), MENTION
    bound = await d.say(team.lan, group, f"{named}/gannhom Xã Hương Sơn")
    assert bound[0].startswith("✅ Nhóm này đã gắn với Xã Hương Sơn."), bound
    added = (await d.say(team.lan, d.private(team.lan), ADD))[0]
    assert added.startswith("✅ Đã lưu đính chính số 1 (Xã Hương Sơn, 2 câu tin đồn)")
    return team, group


async def test_denial_slang_and_question(tg_world: World, clock: ManualClock) -> None:
    """A denial in everyday words: no answer, no alert. Chat slang repeating the rumour, and a
    question about it: the clarification under each, the officer told with the two steps."""
    world = tg_world
    team, group = await _watched_group(world)

    for denial in (
        "Làm gì có chuyện vk đc lấy nhiều ck, toàn tin vớ vẩn",
        "Sửa luật không có nghĩa là vợ được lấy nhiều chồng, đừng hiểu nhầm",
    ):
        assert await _group_says(world, team.tu, group, denial) == []
    assert _alerts(world, team.lan) == [] and _alerts(world, team.lan, UNSURE) == []

    new = await _group_says(world, team.hoa, group, "vk đc lấy nhiều ck")
    assert len(new) == 1 and new[0].text.startswith(REPLY), "slang repeating the rumour"
    assert "một vợ một chồng" in new[0].text
    await eventually(lambda: len(_alerts(world, team.lan)) == 1, what="the officer's alert")
    alert = next(m for m in world.fake.sent(world.driver.private(team.lan)) if ALERT in m.text)
    assert (
        "Chị Hoa viết (khớp đính chính số 1)" in alert.text
        and "«vk đc lấy nhiều ck»" in alert.text
    )
    assert alert.buttons == (
        (("🚫 Không phải tin đồn", "rumour:not_rumour:1"), ("➕ Thêm câu này", "rumour:phrase:1")),
    )

    clock.advance(days=1)  # answered at most once a group and day
    new = await _group_says(world, team.tu, group, "vk dc lay nhieu ck phai k mn")
    assert len(new) == 1 and new[0].text.startswith(REPLY), "a question is answered, not denied"
    await eventually(lambda: len(_alerts(world, team.lan)) == 2, what="the second alert")


async def test_unsure_goes_to_the_officers_only(tg_world: World) -> None:
    """A message the watch cannot tell from a denial ("có tin đồn là …"), or a wording just short
    of a phrase, is not answered in the group; the officers are told why. "Thêm câu này" adds
    the new wording (audited), and the next message in it is answered."""
    world = tg_world
    team, group = await _watched_group(world)
    d = world.driver
    lan = d.private(team.lan)
    said = (
        (team.hoa, "Dạo này có tin đồn là vợ được lấy nhiều chồng đấy"),
        (team.tu, NEW_WORDING),
    )
    for n, (who, text) in enumerate(said, start=1):
        assert await _group_says(world, who, group, text) == []
        await eventually(lambda n=n: len(_alerts(world, team.lan, UNSURE)) == n, what="a note")
    assert "Bot chưa trả lời trong nhóm vì không chắc" in _alerts(world, team.lan, UNSURE)[0]
    listed = (await d.say(team.lan, lan, "/dinhchinh ds"))[0]
    assert "gặp 0 lần trong 7 ngày" in listed, "an unsure sighting is not counted"

    note = [m for m in world.fake.sent(lan) if UNSURE in m.text][-1]
    handled = world.bot.handled
    world.fake.press(team.lan.handle, lan, note.message_id, "rumour:phrase:2")
    await eventually(lambda: world.bot.handled > handled, what="the press")
    await eventually(lambda: "Đã thêm câu" in d.texts(lan)[-1], what="the answer")
    assert d.texts(lan)[-1].startswith(
        "✅ Đã thêm câu «Phụ nữ giờ được có nhiều chồng» vào đính chính số 1"
    )
    app = world.bot.app
    assert app is not None
    assert [e.detail for e in app.store.audit.recent(50) if e.action.endswith("phrase_add")] == [
        {"sighting": 2, "phrases": 3}
    ]
    shown = (await d.say(team.lan, lan, "/dinhchinh 1"))[0]
    assert "• Phụ nữ giờ được có nhiều chồng" in shown
    new = await _group_says(world, team.binh, group, "phụ nữ giờ đc có nhiều ck rồi")
    assert len(new) == 1 and new[0].text.startswith(REPLY), "the taught wording is answered"


async def test_an_officer_marks_not_a_rumour(world: World) -> None:
    """ "Không phải tin đồn" from the alert (a button on Telegram, `/dinhchinh khong 1` typed on
    Zalo): audited, and the next message of that shape is neither answered nor alerted, while the
    rumour itself still is."""
    team, group = await _watched_group(world)
    d = world.driver
    lan = d.private(team.lan)

    new = await _group_says(world, team.tu, group, SHAPE)
    assert len(new) == 1 and new[0].text.startswith(REPLY), "the watch took it for the rumour"
    await eventually(lambda: len(_alerts(world, team.lan)) == 1, what="the alert")
    alert = next(m for m in world.fake.sent(lan) if ALERT in m.text)
    if world.platform == "telegram":
        handled = world.bot.handled
        world.fake.press(team.lan.handle, lan, alert.message_id, "rumour:not_rumour:1")
        await eventually(lambda: world.bot.handled > handled, what="the press")
        await eventually(lambda: "Đã ghi" in d.texts(lan)[-1], what="the answer")
        done = d.texts(lan)[-1]
        after = next(m for m in world.fake.sent(lan) if m.message_id == alert.message_id)
        assert after.buttons == (), "the step is taken: the buttons go"
    else:
        assert "👉 Gõ «/dinhchinh khong 1»: 🚫 Không phải tin đồn" in alert.text
        assert "👉 Gõ «/dinhchinh them-cau 1»: ➕ Thêm câu này" in alert.text
        (done,) = await d.say(team.lan, lan, "/dinhchinh khong 1")
    assert done.startswith("✅ Đã ghi: tin này không phải tin đồn của đính chính số 1.")
    again = await d.say(team.lan, lan, "/dinhchinh khong 1")
    assert again == ["Tin này đã được ghi là không phải tin đồn của đính chính số 1."]
    assert (await d.say(team.lan, lan, "/dinhchinh khong 99"))[0].startswith("Không có tin số 99")
    assert (await d.say(team.lan, lan, "/dinhchinh khong"))[0].startswith("Ghi số tin")

    app = world.bot.app
    assert app is not None
    taught = [e for e in app.store.audit.recent(50) if e.action == "clarification.not_rumour"]
    assert len(taught) == 1 and taught[0].target == "clarification:1"
    assert taught[0].detail["sighting"] == 1

    # Another person, the same shape around other words of the rumour: no answer, no alert (a
    # Zalo bot named in a message it has nothing to say to gives its usual short help).
    new = await _group_says(world, team.hoa, group, SAME_SHAPE)
    assert not any(m.text.startswith(REPLY) for m in new)
    assert world.platform == "zalo" or new == []
    # The rumour itself is still seen (told to the officer; answered already today).
    await _group_says(world, team.hoa, group, "vk đc lấy nhiều ck")
    await eventually(lambda: len(_alerts(world, team.lan)) == 2, what="the rumour's alert")
    assert all(SAME_SHAPE not in t for t in d.texts(lan)), "the same shape was not alerted"

    # Past retention a sighting's text is blanked: there is nothing left to learn from.
    app.store.personal.scrub_sightings(before=app.clock.now() + timedelta(days=1))
    assert (await d.say(team.lan, lan, "/dinhchinh them-cau 1"))[0].startswith(
        "Tin số 1 đã quá thời hạn lưu"
    )
