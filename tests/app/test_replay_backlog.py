"""A backlog replayed at the start (left by a stop, or by a crash) does not hold up what arrives
now: a newcomer is answered within seconds while hundreds of chats' waiting messages are
answered at Telegram's pace, and those are each answered once, in their chat's order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app.intake import Inbound
from bot.config.loading import load_config
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.store import open_store
from tests.support.harness import World, bot_environ, eventually, write_config

CHATS, EACH = 300, 2
LIMITS = {"per_second_total": 30, "per_minute_per_group": 20, "per_second_per_chat": 1}


def _waiting(user_id: int, k: int, at: datetime) -> Incoming:
    who = str(user_id)
    return Incoming(
        update_id=f"{user_id}{k:03d}", kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", who, ChatKind.PRIVATE), sender=UserRef("telegram", "", who),
        sender_name="Người", text=f"/m{k}", date=at, message_id=str(k + 1),
    )  # fmt: skip


async def test_a_replayed_backlog_does_not_hold_up_a_newcomer(tg_world: World) -> None:
    fake = tg_world.fake
    fake.limits(**LIMITS)
    users = [fake.user(700_000 + i, f"Người {i}") for i in range(CHATS)]
    for user in users:
        fake.private(user)
        fake.bot_state().started.add(user.id)  # they wrote to the bot before the stop
    config = write_config(
        tg_world.folder, admins=[], telegram_url=fake.base_url,
        extra={"delivery": {"telegram": LIMITS}},
    )  # fmt: skip
    store = open_store(load_config(config, environ=bot_environ()).data_dir)
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    try:
        for k in range(EACH):
            for n, user in enumerate(users):
                inc = _waiting(user.id, k, start + timedelta(milliseconds=k * CHATS + n))
                store.inbound.receive(Inbound.key(inc), inc, at=inc.date)
    finally:
        store.close()

    await tg_world.bot.start()
    loop = asyncio.get_running_loop()
    newcomer = fake.user(800_000, "Người mới")
    chat = fake.private(newcomer)
    typed = loop.time()
    fake.type_as(newcomer, chat, "/m0")
    await eventually(lambda: bool(fake.sent(chat)), timeout=60, what="the newcomer's answer")
    waited = loop.time() - typed
    # Behind every replayed chat's reply it would wait CHATS / 30 s = 10 s.
    assert waited < 4.0, f"the newcomer waited {waited:.1f} s behind the replayed backlog"

    def answered() -> int:
        return sum(len(fake.sent(fake.private(u))) for u in users)

    await eventually(lambda: answered() >= CHATS * EACH, timeout=120, what="the backlog")
    await asyncio.sleep(2.0)
    for user in users:
        texts = [m.text for m in fake.sent(fake.private(user))]
        assert [t.split("/m", 1)[1].split(".", 1)[0] for t in texts] == ["0", "1"], texts
