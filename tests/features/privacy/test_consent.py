"""Consent to the privacy notice over the fakes: the gate stores nothing before it, the button
(Telegram) or the typed twin (Zalo) records it, /dongy huy withdraws it."""

from __future__ import annotations

import re

from tests.support.harness import World, eventually

GATE = {"privacy": {"consent_required": True}}


async def test_consent_gate_button_and_typed(world: World) -> None:
    d = world.driver
    admin, hoa = d.person("Quản trị"), d.person("Chị Hoa")
    app = await world.start(admins=[admin], extra=GATE)
    assert app.store is not None
    chat = d.private(hoa)

    greeting = await d.say(hoa, chat, "/batdau")
    assert "🔒 Tôi lưu tên, tài khoản và tin bạn gửi" in greeting[0]
    assert "Trước khi gửi báo cáo, hãy đồng ý:" in greeting[0]
    notice = await d.say(hoa, chat, "/dulieu")
    assert "Dữ liệu tôi lưu" in notice[0] and "máy chủ của Telegram" in notice[0]
    assert "bấm «Tôi đồng ý» hoặc gõ: đồng ý" in notice[0]

    refused = await d.say(hoa, chat, "/dangky thon son ninh")
    assert refused[0].startswith("Tôi chưa lưu tin này") and "Dữ liệu tôi lưu" in refused[0]
    again = await d.say(hoa, chat, "/dangky thon son trung")
    assert again[0].startswith("Tôi chưa lưu tin này vì") and "Dữ liệu tôi lưu" not in again[0]
    assert app.store.registrations.pending() == [] and app.store.questions.all() == []
    person = app.store.people.by_account(hoa.key)
    assert person is not None and person.consent_at is None

    if d.platform == "telegram":
        message = world.fake.sent(chat)[-1]  # type: ignore[attr-defined]
        assert ("Tôi đồng ý", "consent:yes") in message.buttons[0]
        handled = world.bot.handled
        world.fake.press(hoa.handle, chat, message.message_id, "consent:yes")  # type: ignore[attr-defined]
        await eventually(lambda: world.bot.handled > handled, what="the button handled")
        thanks = d.texts(chat)[-1]
    else:
        thanks = (await d.say(hoa, chat, "Đồng ý"))[0]
    assert thanks.startswith("✅ Cảm ơn bạn đã đồng ý")
    person = app.store.people.by_account(hoa.key)
    assert person is not None and person.consent_version == 1 and person.consent_at is not None
    given = [e for e in app.store.audit.recent(50) if e.action == "consent.given"]
    assert [(e.target, e.detail["via"]) for e in given] == [
        (f"person:{person.id}", "button" if d.platform == "telegram" else "typed")
    ]

    filed = await d.say(hoa, chat, "/dangky thon son ninh")
    assert filed[0].startswith("Đã gửi đăng ký #1")
    assert (await d.say(hoa, chat, "/dongy"))[0].startswith("Bạn đã đồng ý")

    withdrawn = await d.say(hoa, chat, "/dongy huy")
    assert withdrawn[0].startswith("Bạn đã rút lại đồng ý")
    person = app.store.people.by_account(hoa.key)
    assert person is not None and person.consent_version == 0
    assert app.store.audit.recent(1)[0].action == "consent.withdrawn"
    blocked = await d.say(hoa, chat, "/dangky thon son trung")
    assert blocked[0].startswith("Tôi chưa lưu tin này")
    assert [r.area for r in app.store.registrations.pending()] == ["18133-01"]


async def test_an_invite_binds_but_asks_for_consent(world: World) -> None:
    """Redeeming an invite binds the account with no approval, but binding is not consent: the
    welcome carries the notice and the consent question."""
    d = world.driver
    admin, hoa = d.person("Quản trị"), d.person("Chị Hoa")
    app = await world.start(admins=[admin], extra=GATE)
    assert app.store is not None
    await d.say(hoa, d.private(hoa), "/batdau")
    person = app.store.people.by_account(hoa.key)
    assert person is not None
    issued = (await d.say(admin, d.private(admin), f"/moilai {person.id}"))[0]
    code = re.search(r"\b([A-Z0-9]{8})\b", issued)
    assert code is not None, issued
    new_phone = d.person("Chị Hoa")
    chat = d.private(new_phone)
    welcome = (await d.say(new_phone, chat, f"/batdau {code.group(1)}"))[0]
    assert welcome.startswith("✅ Chào Chị Hoa") and "🔒 Tôi lưu tên, tài khoản" in welcome
    assert "Trước khi gửi báo cáo, hãy đồng ý:" in welcome
    bound = app.store.people.by_account(new_phone.key)
    assert bound is not None and bound.id == person.id and bound.consent_at is None
