"""A directive broadcast killed with SIGKILL at the k-th copy the platform took: after a restart
every chat has it, only what the outbox marked in flight came twice (never more than the
sender's concurrency), and the officer's final summary says how many may have been repeated.

The kill comes about halfway through a broadcast of a few hundred copies, paced by the
platform's real limits on both sides of the restart (Telegram's 30 a second; Zalo's pacing,
bot by bot, under the fake's flood mode); what must hold does not grow with the size, so the
size is what makes "mid-broadcast" (test_broadcast.py sends the full 500 within the limits).
The bot restarts a second after the kill, as a supervisor would (forked: a restart costs no
imports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.core.i18n import Translator
from bot.core.models import OutboxStatus, Role
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support import store_choice
from tests.support.directive_seed import (
    DIRECTIVE,
    REGION,
    ZALO_BOTS,
    Member,
    area_tree,
    deadline_words,
    seed_store,
    telegram_team,
    with_zalo_bots,
    zalo_environ,
    zalo_people,
)
from tests.support.harness import (
    ZALO_TOKEN,
    BotProcess,
    Person,
    ReplyWaiter,
    TelegramDriver,
    ZaloDriver,
    eventually,
    write_config,
)

pytestmark = pytest.mark.slow
CONCURRENCY = 4
t = Translator()
HEADER = t("vi", "directive.message", number=1, author="").split("\n", 1)[0]  # 📢 Thông báo số 1


@dataclass
class Scene:
    """Who sends, from where, and every chat a copy must reach (store chat key → reader)."""

    fake: Any
    officer: Person
    officer_chat: Any
    driver: TelegramDriver | ZaloDriver
    chats: dict[str, Any]


def _telegram(tmp_path: Path, fake: FakeTelegram) -> tuple[Scene, Path]:
    """100 bound groups (the bot is admin in a quarter) and 150 people privately."""
    fake.limits(per_second_total=30, per_minute_per_group=20, per_second_per_chat=1)
    team = telegram_team(fake, groups=100, private_communes=15, villages=2, per_village=5,
                         bot_is_admin=lambda i: i % 4 == 0)  # fmt: skip
    config = write_config(
        tmp_path, admins=[], telegram_url=fake.base_url,
        extra={"areas": team.tree, "delivery": {"concurrency": CONCURRENCY}},
    )  # fmt: skip
    seed_store(config, team.members, team.bindings, environ=zalo_environ())
    chats = {f"telegram::{g.id}": g for g in team.groups}
    chats |= {f"telegram::{u.id}": fake.private(u) for u in team.private}
    officer = Person(team.officer.first_name, team.officer, f"telegram:{team.officer.id}")
    driver = TelegramDriver(fake, None)  # type: ignore[arg-type]  # the bot is another process
    return Scene(fake, officer, fake.private(team.officer), driver, chats), config


def _zalo(tmp_path: Path, fake: FakeZalo) -> tuple[Scene, Path]:
    """An officer on Zalo; 147 people on three Zalo bots, all privately."""
    boss = fake.user("Cán bộ Khu vực", bot=ZALO_TOKEN)
    people, members = zalo_people(fake, communes=15, per_bot=49)
    fake.undocumented_flood_limits(per_second_total=10, per_second_per_chat=1)
    config = write_config(
        tmp_path, admins=[], zalo_url=fake.base_url,
        extra={"areas": area_tree(group_communes=0, private_communes=15, villages=2),
               "delivery": {"concurrency": CONCURRENCY}},
    )  # fmt: skip
    with_zalo_bots(config, [{"name": name} for name, _ in ZALO_BOTS])
    key = f"zalo:{ZALO_BOTS[0][0]}:{boss.id}"
    officer = Member(boss.display_name, key, Role.OFFICER, REGION)
    seed_store(config, [officer, *members], [], environ=zalo_environ())
    chats = {f"zalo:{name}:{u.id}": fake.private(u) for name, u in people}
    driver = ZaloDriver(fake, None)  # type: ignore[arg-type]
    scene = Scene(fake, Person(boss.display_name, boss, key), fake.private(boss), driver, chats)
    return scene, config


@pytest.mark.parametrize(("platform", "k"), [("telegram", 120), ("zalo", 70)])
async def test_kill_during_a_directive_broadcast_resends_only_what_was_in_flight(
    platform: str, k: int, tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    if platform == "telegram":
        scene, config = _telegram(tmp_path, fake_telegram)
        reach = t("vi", "directive.preview_reach", platform="Telegram", groups=100, people=150)
    else:
        scene, config = _zalo(tmp_path, fake_zalo)
        reach = t("vi", "directive.preview_reach", platform="Zalo", groups=0, people=147)
    fake, me = scene.fake, scene.officer_chat
    total = len(scene.chats)

    def copies(chat: Any) -> int:
        return sum(1 for m in fake.sent(chat) if m.text.startswith(HEADER))

    bot = BotProcess(config, zalo_environ(), forked=True, restart_delay=1.0)
    await bot.start()
    try:
        officer = ReplyWaiter(scene.driver)
        han, _ = deadline_words()
        (preview,) = await officer.say(scene.officer, me, f"/chithi all: {DIRECTIVE} {han}")
        assert reach in preview, preview
        hold = ResponseHold(
            "sendMessage", k, match=lambda p: str(p.get("text", "")).startswith(HEADER)
        )
        fake.hold = hold
        queued = await officer.say(scene.officer, me, "/xacnhan")
        queued_line = t("vi", "directive.queued", number=1, count=total)
        assert any(text.startswith(queued_line) for text in queued), queued
        await eventually(hold.reached.is_set, timeout=30, what=f"the {k}-th copy")
        await bot.kill()
        left = total - sum(copies(c) for c in scene.chats.values())
        assert left > CONCURRENCY, f"the kill came mid-broadcast: {left} of {total} left"
        hold.release()
        fake.hold = None
        await bot.start()

        await eventually(
            lambda: all(copies(c) for c in scene.chats.values()), timeout=120,
            what="a copy in every chat",
        )  # fmt: skip
        done = t("vi", "outbox.done", sent=total, total=total)
        await eventually(
            lambda: any(text.startswith(done) for text in scene.driver.texts(me)), timeout=15,
            what="the officer's final summary",
        )  # fmt: skip
        summary = next(text for text in scene.driver.texts(me) if text.startswith(done))
    finally:
        await bot.stop()
    counted = {key: copies(chat) for key, chat in scene.chats.items()}
    assert all(n >= 1 for n in counted.values()), "a copy was lost"
    store = store_choice.open_configured(config, zalo_environ())  # the store the bot used
    try:
        directive = store.directives.get(1)
        assert directive is not None and directive.job_id is not None
        items = {i.chat_key: i for i in store.outbox.for_job(directive.job_id)}
        assert set(items) == set(scene.chats)
        assert Counter(i.status for i in items.values()) == {OutboxStatus.SENT: total}
    finally:
        store.close()
    repeated = {key for key, n in counted.items() if n > 1}
    flagged = {key for key, item in items.items() if item.possibly_repeated}
    assert all(n <= 2 for n in counted.values()), "a copy went out three times"
    assert repeated <= flagged, "a copy went out twice without being recorded as such"
    assert 1 <= len(flagged) <= CONCURRENCY
    assert repeated, "the held copy was delivered, so its chat must show it twice"
    assert t("vi", "outbox.repeated", count=len(flagged)) in summary, summary
