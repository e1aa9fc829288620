"""SIGTERM (systemctl stop) during a directive broadcast under flood limits and a half-filled
step-by-step report form: the process takes no new work, finishes the send in flight, closes
the store cleanly and exits 0; started again, it completes the broadcast (every chat once) and
the form takes its next answer.

SIGTERM comes as the platform holds the 15th copy's answer, a quarter of the way through 61
copies paced at Telegram's real limits; both starts are forked, the second a second after the
exit, as a supervisor would (deploy/tro-ly-dan-so.service waits 5 s)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from bot.config.loading import load_config
from bot.core.i18n import Translator
from bot.core.models import OutboxStatus
from bot.store import open_store
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.support.directive_seed import DIRECTIVE, deadline_words, seed_store, telegram_team
from tests.support.harness import (
    BotProcess,
    Person,
    ReplyWaiter,
    TelegramDriver,
    bot_environ,
    eventually,
    write_config,
)

pytestmark = pytest.mark.slow
CONCURRENCY = 4
GROUPS = 60
HELD = 15  # the copy whose answer the platform holds when SIGTERM comes
t = Translator()
HEADER = t("vi", "directive.message", number=1, author="").split("\n", 1)[0]  # 📢 Thông báo số 1
STOP_BOUND = 20.0  # seconds from the held answer's release to the exit


def _log_lines(bot: BotProcess) -> list[dict[str, object]]:
    lines = []
    for line in bot.stderr().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _said(bot: BotProcess, text: str) -> bool:
    return any(text in str(e.get("msg", "")) for e in _log_lines(bot))


async def test_sigterm_mid_broadcast_and_mid_form_loses_nothing(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    fake.limits(per_second_total=30, per_minute_per_group=20, per_second_per_chat=1)
    team = telegram_team(fake, groups=GROUPS, private_communes=1, villages=1, per_village=1)
    config = write_config(
        tmp_path, admins=[], telegram_url=fake.base_url,
        extra={"areas": team.tree, "delivery": {"concurrency": CONCURRENCY}},
    )  # fmt: skip
    seed_store(config, team.members, team.bindings)
    data_dir = load_config(config, environ=bot_environ()).data_dir
    chats = {f"telegram::{g.id}": g for g in team.groups}
    collab_user = team.private[0]
    collab = Person(collab_user.first_name, collab_user, f"telegram:{collab_user.id}")
    collab_chat = fake.private(collab_user)
    chats[f"telegram::{collab_user.id}"] = collab_chat
    officer = Person(team.officer.first_name, team.officer, f"telegram:{team.officer.id}")
    me = fake.private(team.officer)
    driver = TelegramDriver(fake, None)  # type: ignore[arg-type]  # the bot is another process
    talk = ReplyWaiter(driver)

    def copies(chat: object) -> int:
        return sum(1 for m in fake.sent(chat) if m.text.startswith(HEADER))

    def sent_copies() -> int:
        return sum(copies(c) for c in chats.values())

    def attempted() -> set[str]:
        """The chats the bot has tried to send the directive to (whatever the answer)."""
        calls = fake.log.calls("sendMessage")
        return {str(c.params["chat_id"]) for c in calls if HEADER in str(c.params.get("text"))}

    bot = BotProcess(config, bot_environ(), forked=True, restart_delay=1.0)
    await bot.start()
    try:
        first = (await talk.say(collab, collab_chat, "/baocao"))[0]
        assert "câu 1/" in first, first
        second = (await talk.say(collab, collab_chat, "12"))[0]
        assert "câu 2/" in second, second
        han, _ = deadline_words()
        await talk.say(officer, me, f"/chithi all: {DIRECTIVE} {han}")
        hold = ResponseHold(
            "sendMessage", HELD, match=lambda p: str(p.get("text", "")).startswith(HEADER)
        )
        fake.hold = hold
        await driver.type(officer, me, "/xacnhan")  # its answer may go out in the drain
        await eventually(hold.reached.is_set, timeout=30, what=f"the {HELD}-th copy")

        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)
        await eventually(lambda: _said(bot, "stopping: no new work"), timeout=10,
                         what="the drain to begin")  # fmt: skip
        at_stop = attempted()
        hold.release()
        fake.hold = None
        code = await bot.exited(STOP_BOUND)
        assert code == 0, bot.stderr()[-3000:]
        # Only the sends already in flight when the drain began reached the platform after it.
        late = attempted() - at_stop
        assert len(late) <= CONCURRENCY - 1, (len(at_stop), late)  # one of them is the held one
        interrupted = sent_copies()
        assert HELD <= interrupted < len(chats), "SIGTERM came mid-broadcast"
        journal = data_dir / "journal.jsonl"
        assert not journal.exists() or journal.stat().st_size == 0, "the store closed cleanly"
        assert _said(bot, "bot stopped")

        await bot.start()
        await eventually(lambda: all(copies(c) for c in chats.values()), timeout=60,
                         what="a copy in every chat")  # fmt: skip
        third = (await talk.say(collab, collab_chat, "bỏ qua"))[0]
        assert "câu 3/" in third, "the form goes on after the restart: " + third
        done = t("vi", "outbox.done", sent=len(chats), total=len(chats))
        await eventually(lambda: any(text.startswith(done) for text in driver.texts(me)),
                         timeout=15, what="the officer's final summary")  # fmt: skip
    finally:
        await bot.stop()
    queued = t("vi", "directive.queued", number=1, count=len(chats))
    assert any(text.startswith(queued) for text in driver.texts(me)), "/xacnhan was answered"
    assert not any("replayed" in str(e.get("msg", "")) for e in _log_lines(bot))
    counted = {key: copies(chat) for key, chat in chats.items()}
    assert set(counted.values()) == {1}, "a clean stop leaves nothing in flight to repeat"
    store = open_store(data_dir)
    try:
        directive = store.directives.get(1)
        assert directive is not None and directive.job_id is not None
        items = store.outbox.for_job(directive.job_id)
        assert {i.chat_key for i in items} == set(chats)
        assert all(i.status is OutboxStatus.SENT and not i.possibly_repeated for i in items)
    finally:
        store.close()
