"""SIGTERM with a backlog of thousands: the stop is bounded, the restart is prompt, nothing is
lost or done twice.

A real `python -m bot run` is flooded with 2,250 messages over 250 private chats; its replies
are paced by Telegram's one message a second per chat, so after a few seconds most of them wait
in intake. SIGTERM then: the bot takes nothing new, lets the messages being handled finish,
leaves the waiting ones in its inbox and exits 0 within `runtime.stop_timeout_seconds` (plus a
process's own start and teardown). Started again, it asks Telegram for updates at once, answers
a newcomer while the backlog drains, and in the end every message has had exactly one reply, in
the order its chat sent them.

Both starts are forked from a zygote (no imports to pay), the second a second after the exit,
as a supervisor would (deploy/tro-ly-dan-so.service waits 5 s): the per-chat windows of the
replies before the stop are over by then, as in any real restart.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.support.harness import BotProcess, bot_environ, eventually, write_config

pytestmark = pytest.mark.slow
CHATS, EACH = 250, 9  # after two rounds 1,750 wait: three seconds before fewer than 1,000 do
STOP_BOUND = 5.0  # runtime.stop_timeout_seconds
EXIT_MARGIN = 3.0  # the process's own teardown after the bound (interpreter, threads)
LIMITS = {"per_second_total": 300, "per_minute_per_group": 20, "per_second_per_chat": 1}


def _numbers(texts: list[str]) -> list[int]:
    """Which of a chat's messages each reply answers ("Không có lệnh /m7. …" → 7)."""
    return [int(t.split("/m", 1)[1].split(".", 1)[0]) for t in texts if "/m" in t]


async def test_sigterm_with_thousands_queued_exits_in_bound_and_resumes_in_order(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    fake.limits(**LIMITS)
    config = write_config(
        tmp_path, admins=[], telegram_url=fake.base_url,
        extra={"delivery": {"telegram": LIMITS},
               "runtime": {"stop_timeout_seconds": STOP_BOUND},
               "logging": {"level": "INFO", "format": "json"}},
    )  # fmt: skip
    users = [fake.user(500_000 + i, f"Người {i}") for i in range(CHATS)]
    chats = [fake.private(u) for u in users]

    def replies() -> int:
        return sum(len(fake.sent(c)) for c in chats)

    bot = BotProcess(config, bot_environ(), forked=True, restart_delay=1.0)
    try:
        await bot.start()
        await fake.wait_polling(timeout=30)
        for k in range(EACH):
            for user, chat in zip(users, chats, strict=True):
                fake.type_as(user, chat, f"/m{k}")
        await eventually(lambda: replies() >= 2 * CHATS, timeout=20, what="two rounds answered")
        await eventually(lambda: not fake.pending(), timeout=10, what="every update taken in")

        assert bot.proc is not None
        sent_at = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = await bot.exited(60)
        took = time.monotonic() - sent_at
        assert code == 0, bot.stderr()[-3000:]
        left = CHATS * EACH - replies()
        assert left >= 1000, f"a backlog of thousands at the stop: {left} left"
        assert took <= STOP_BOUND + EXIT_MARGIN, f"stopped after {took:.1f} s"

        started_at = time.monotonic()
        await bot.start()
        newcomer = fake.user(600_000, "Người mới")
        new_chat = fake.private(newcomer)
        fake.type_as(newcomer, new_chat, "/m0")
        await eventually(lambda: bool(fake.sent(new_chat)), timeout=10,
                         what="a newcomer answered soon after the start")  # fmt: skip
        assert replies() < CHATS * EACH, "the newcomer did not wait for the whole backlog"
        await eventually(lambda: replies() >= CHATS * EACH, timeout=30, what="the backlog")
        assert time.monotonic() - started_at < 30
        await asyncio.sleep(1.0)  # a message handled twice would show up now
    finally:
        await bot.stop()
    for chat in chats:
        assert _numbers([m.text for m in fake.sent(chat)]) == list(range(EACH)), chat.id
