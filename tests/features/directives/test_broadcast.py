"""A directive at a province's size: 200 Telegram groups and 300 private chats under the real
flood limits with 429s injected, then acknowledgements and status; and the same fan-out on
Zalo (several bots, private chats only) with a file that goes there as a signed link."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.models import JobStatus, OutboxStatus
from tests.fakes.telegram_api import FakeTelegram, SentMessage
from tests.fakes.zalo_api import FakeZalo
from tests.support.delivery_helpers import finished, loop_clock, start_config, window_breaches
from tests.support.directive_seed import (
    DIRECTIVE,
    PER_BOT,
    ZALO_BOTS,
    area_tree,
    deadline_words,
    seed_store,
    telegram_team,
    with_zalo_bots,
    zalo_breaches,
    zalo_environ,
    zalo_people,
)
from tests.support.harness import RunningBot, bot_environ, eventually

# The limits are counted on the loop's time, by the bot and the fakes alike; idle waits skipped.
pytestmark = pytest.mark.virtual_time
LIMITS = {"per_second_total": 30, "per_minute_per_group": 20, "per_second_per_chat": 1}
GROUPS = 200
PRIVATE_COMMUNES, VILLAGES, PER_VILLAGE = 30, 2, 5  # 300 people written to privately
HEADER = "📢 Thông báo số 1"
PDF = b"%PDF-1.4 ke hoach chien dich truyen thong thang 12 " * 40


async def _say(
    fake: FakeTelegram, bot: RunningBot, user: Any, chat: Any, text: str, **kw: Any
) -> list[SentMessage]:
    """Type as `user`, wait until the bot handled it; the bot's new messages in `chat`."""
    before, handled = len(fake.sent(chat)), bot.handled
    fake.type_as(user, chat, text, **kw)
    await eventually(lambda: bot.handled > handled, timeout=10, what=f"the bot to read {text!r}")
    return fake.sent(chat)[before:]


async def _press(
    fake: FakeTelegram, bot: RunningBot, user: Any, chat: Any, message_id: int, data: str
) -> None:
    """Press a button as `user` and wait until the bot handled the press."""
    handled = bot.handled
    fake.press(user, chat, message_id, data)
    await eventually(lambda: bot.handled > handled, timeout=10, what=f"the press on {data}")


def _copies(fake: FakeTelegram, chat: Any) -> list[SentMessage]:
    return [m for m in fake.sent(chat) if m.text.startswith(HEADER)]


def _button(fake: FakeTelegram, chat: Any, message_id: int) -> str:
    message = next(m for m in fake.sent(chat) if m.message_id == message_id)
    return message.buttons[0][0][0] if message.buttons else ""


async def test_telegram_directive_to_200_groups_and_300_people_keeps_the_limits(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    fake.limits(**LIMITS)
    team = telegram_team(
        fake, groups=GROUPS, private_communes=PRIVATE_COMMUNES, villages=VILLAGES,
        per_village=PER_VILLAGE, bot_is_admin=lambda i: i % 2 == 0,
    )  # fmt: skip
    officer, groups, in_group, private = team.officer, team.groups, team.in_group, team.private
    config = start_config(tmp_path, tg=fake, admins=[], extra={"areas": team.tree})
    seed_store(config, team.members, team.bindings)
    bot = RunningBot(config, bot_environ(), loop_clock())
    app = await bot.start()
    try:
        assert app.store is not None
        store = app.store
        me = fake.private(officer)
        han, shown = deadline_words()
        (preview,) = await _say(fake, bot, officer, me, f"/chithi all: {DIRECTIVE} {han}")
        assert preview.text.startswith("📝 Xem trước thông báo gửi tới Trung tâm Y tế khu vực:")
        assert shown in preview.text
        assert "• Telegram: 200 nhóm, 300 người nhắn riêng" in preview.text
        assert "Cần xác nhận đã nhận: 500 người." in preview.text
        assert preview.buttons[0][0][1] == "dir:confirm"

        await _press(fake, bot, officer, me, preview.message_id, "dir:confirm")
        await eventually(
            lambda: any(m.text.startswith("Đã xếp gửi thông báo số 1 (500 tin)")
                        for m in fake.sent(me))
            and any(m.text.startswith("⏳") for m in fake.sent(me)),
            what="the officer's confirmation and progress line",
        )  # fmt: skip
        # 429s in the middle of the broadcast, on sends and on pins.
        fake.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1",
                       retry_after=1, times=5)  # fmt: skip
        fake.fail_next(
            "pinChatMessage",
            status=429,
            description="Too Many Requests: retry after 1",
            retry_after=1,
            times=2,
        )
        directive = store.directives.get(1)
        assert directive is not None and directive.job_id is not None
        job = store.outbox.get_job(directive.job_id)
        assert job is not None
        result = await finished(app, job, timeout=60)
        assert result.status is JobStatus.DONE and result.summary == {"sent": 500}

        for chat in groups:
            (copy,) = _copies(fake, chat)
            assert copy.buttons == ((("✅ Đã nhận (0/1)", "ack:1"),),)
        for user in private:
            (copy,) = _copies(fake, fake.private(user))
            assert copy.buttons == ((("✅ Đã nhận", "ack:1"),),)
        admin_groups = [g for i, g in enumerate(groups, start=1) if i % 2 == 0]
        await eventually(
            lambda: all(fake.pinned(g) for g in admin_groups), timeout=15, what="every pin"
        )
        for i, chat in enumerate(groups, start=1):
            pinned = [m.message_id for m in fake.pinned(chat)]
            assert pinned == ([_copies(fake, chat)[0].message_id] if i % 2 == 0 else [])
        items = store.outbox.for_job(job.id)
        assert Counter(i.status for i in items) == {OutboxStatus.SENT: 500}
        assert sum(1 for i in items if i.attempts > 1) == 5
        await eventually(
            lambda: fake.sent(me)[-1].text == "✅ Đã gửi xong: 500/500 thành công.",
            what="the final summary",
        )

        # Acknowledgements: the group button, the private button, and the typed twin.
        for chat, user in zip(groups[:10], in_group[:10], strict=True):
            await _press(fake, bot, user, chat, _copies(fake, chat)[0].message_id, "ack:1")
        for user in private[:5]:
            chat = fake.private(user)
            await _press(fake, bot, user, chat, _copies(fake, chat)[0].message_id, "ack:1")
        for user in private[5:15]:
            reply = await _say(fake, bot, user, fake.private(user), "ok 1")
            assert [m.text for m in reply] == [
                f"✅ Đã ghi nhận {user.first_name} đã nhận thông báo số 1. Cảm ơn!"
            ]
        again = await _say(fake, bot, private[0], fake.private(private[0]), "ok 1")
        assert [m.text for m in again] == ["Bạn đã xác nhận thông báo số 1 rồi, cảm ơn."]
        await eventually(
            lambda: all(
                _button(fake, chat, _copies(fake, chat)[0].message_id) == "✅ Đã nhận (1/1)"
                for chat in groups[:10]
            ),
            what="the counts on the group buttons",
        )
        await eventually(
            lambda: all(not _copies(fake, fake.private(u))[0].buttons for u in private[:5]),
            what="the private buttons to go once pressed",
        )
        assert _button(fake, groups[10], _copies(fake, groups[10])[0].message_id) == (
            "✅ Đã nhận (0/1)"
        )
        status = "\n".join(m.text for m in await _say(fake, bot, officer, me, "/tinhtrang 1"))
        assert "Đã gửi 500/500 tin · Đã nhận 25/500 người (5%)" in status
        assert "Nhóm đã xác nhận: 10/200" in status
        assert app.services is not None
        await app.services.directives.acks.drain()

        refused = [e for e in fake.log.entries if e.status == 429]
        assert len(refused) == 7, "the fake's own flood limiter refused a call"
        assert window_breaches(fake.log.entries, **LIMITS) == []
    finally:
        await bot.stop()


ZALO_LIMITS = {"per_second_total": 10, "per_second_per_chat": 1}


async def test_zalo_fan_out_with_a_file_as_signed_links_and_a_telegram_group_document(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """An officer on Telegram replies to a PDF with /chithi: two Telegram groups get the document
    itself, 150 people on three Zalo bots a link that downloads it from the bot's web server."""
    tg, zl = fake_telegram, fake_zalo
    team = telegram_team(tg, groups=2, private_communes=0, villages=2, per_village=0,
                         bot_is_admin=lambda i: True)  # fmt: skip
    officer, groups = team.officer, team.groups
    people, members = zalo_people(zl, communes=15)
    zl.undocumented_flood_limits(**ZALO_LIMITS)  # Zalo publishes none: the bot must not hit it
    config = start_config(
        tmp_path, tg=tg, zl=zl, admins=[], public_base_url="https://bot.example.org",
        extra={"areas": area_tree(group_communes=2, private_communes=15, villages=2)},
    )  # fmt: skip
    with_zalo_bots(config, [{"name": name} for name, _ in ZALO_BOTS])
    environ = zalo_environ()
    ids = seed_store(config, team.members + members, team.bindings, environ=environ)
    bot = RunningBot(config, environ, loop_clock())
    app = await bot.start()
    try:
        assert app.store is not None
        me = tg.private(officer)
        han, _ = deadline_words()
        pdf = ("Kế hoạch tháng 12.pdf", PDF, "application/pdf")
        await _say(tg, bot, officer, me, "", document=pdf)  # the bot answers a bare file
        doc = next(m for m in reversed(tg.history(me)) if m.document and not m.from_bot)
        (preview,) = await _say(
            tg, bot, officer, me, f"/chithi all: {DIRECTIVE} {han}", reply_to=doc.message_id
        )
        text = preview.text
        assert "📎 Kèm tệp: Kế hoạch tháng 12.pdf" in text
        assert "• Telegram: 2 nhóm, 0 người nhắn riêng" in text
        assert "• Zalo: 0 nhóm, 150 người nhắn riêng" in text
        for name, _ in ZALO_BOTS:
            assert f"Hạn mức Zalo ({name}): tốn 50 tin, tháng này còn 3000." in text
        (queued,) = await _say(tg, bot, officer, me, "/xacnhan")
        assert queued.text.startswith("Đã xếp gửi thông báo số 1 (152 tin)")
        directive = app.store.directives.get(1)
        assert directive is not None and directive.job_id is not None
        job = app.store.outbox.get_job(directive.job_id)
        assert job is not None
        result = await finished(app, job, timeout=30)
        assert result.summary == {"sent": 152}

        for chat in groups:
            (copy,) = [m for m in tg.sent(chat) if m.text.startswith(HEADER)]
            assert copy.document is not None and copy.document["file_name"] == (
                "Kế hoạch tháng 12.pdf"
            )
            assert tg.file_bytes(copy.document["file_id"]) == PDF
            assert copy.buttons == ((("✅ Đã nhận (0/1)", "ack:1"),),)
        links = {}
        for name, user in people:
            (copy,) = [m.text for m in zl.sent(zl.private(user)) if m.text.startswith(HEADER)]
            assert DIRECTIVE in copy and "👉 Gõ «ok 1»: ✅ Đã nhận" in copy
            found = re.search(r"https://bot\.example\.org(/f/\S+)", copy)
            assert found, copy
            links[ids[f"zalo:{name}:{user.id}"]] = found.group(1)
        assert len(set(links.values())) == len(people), "each link is bound to its person"
        async with aiohttp.ClientSession() as http:
            for path in links.values():
                async with http.get(f"http://127.0.0.1:{app.web_port}{path}") as resp:
                    assert resp.status == 200
                    assert await resp.read() == PDF
        for _, token in ZALO_BOTS:
            assert zl.quota_used(token) == PER_BOT
            mine = [e for e in zl.log.entries if e.token == token]
            assert not [e for e in mine if not e.ok and e.method == "sendMessage"]
            assert zalo_breaches(mine, **ZALO_LIMITS) == []
        assert window_breaches(tg.log.entries, **LIMITS) == []

        _, hoa = people[0]  # Zalo has no buttons: the typed twin
        before = len(zl.sent(zl.private(hoa)))
        await zl.type_as(hoa, None, "ok 1")
        reply = (await zl.wait_sent(zl.private(hoa), before + 1))[before:]
        assert [m.text for m in reply] == [
            f"✅ Đã ghi nhận {hoa.display_name} đã nhận thông báo số 1. Cảm ơn!"
        ]
        await eventually(
            lambda: tg.sent(me)[-1].text == "✅ Đã gửi xong: 152/152 thành công.",
            what="the summary to the officer on Telegram",
        )
    finally:
        await bot.stop()
