"""A burst of 1,000 reports from 100 collaborators; the bot is killed with SIGKILL twenty times
at seeded points (after the k-th echo the fake answers since the last start, before the bot
hears it) and started again each time. In the end every report is stored exactly once, whether
or not its echo reached the chat before a kill, and the store opens whole. (SIGKILL is a
process crash; it says nothing of power loss.)"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import Role
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.support import store_choice
from tests.support.directive_seed import Member, area_tree, private_commune, seed_store, village
from tests.support.harness import BotProcess, bot_environ, eventually, write_config

pytestmark = pytest.mark.slow
PEOPLE, EACH = 100, 10  # 1,000 reports
# The seeded kill points, to replay a failure: the k-th echo after each start is held and the
# process dies while it waits for the answer.
KILLS = (1, 7, 33, 64, 5, 50, 22, 56, 30, 49, 4, 44, 19, 12, 60, 6, 71, 27, 50, 90)
FAST = {"telegram": {"per_second_total": None, "per_minute_per_group": None,
                     "per_second_per_chat": None}}  # fmt: skip


def _is_echo(text: str) -> bool:
    return text.startswith("✅ Đã lưu báo cáo")


async def test_twenty_kills_during_a_burst_of_1000_reports(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    users = [fake.user(700_000 + i, f"CTV {i}") for i in range(PEOPLE)]
    config = write_config(
        tmp_path, admins=[], telegram_url=fake.base_url,
        extra={"areas": area_tree(group_communes=0, private_communes=10, villages=10),
               "delivery": FAST},
    )  # fmt: skip
    seed_store(config, [
        Member(f"CTV {i}", f"telegram:{u.id}", Role.COLLABORATOR,
               village(private_commune(i // 10 + 1), i % 10 + 1))
        for i, u in enumerate(users)
    ], [])  # fmt: skip
    for round_ in range(EACH):  # every person's reports differ, so none is a repeat
        for u in users:
            fake.type_as(u, fake.private(u), f"/bc sinh {round_ + 1}, chet {round_}")

    def echoes() -> int:
        return sum(_is_echo(m.text) for u in users for m in fake.sent(fake.private(u)))

    bot = BotProcess(config, bot_environ(), forked=True)  # 21 starts: forked
    try:
        for k in KILLS:
            hold = ResponseHold("sendMessage", k, match=lambda p: _is_echo(str(p.get("text"))))
            fake.hold = hold
            await bot.start()
            await eventually(hold.reached.is_set, timeout=60, what=f"the {k}-th echo")
            await bot.kill()
            hold.release()
            fake.hold = None
        await bot.start()
        # Every message has been answered at least once (some twice: their echo was in flight).
        answered = lambda: {  # noqa: E731
            (u.id, m.text.split("Sinh: ")[1].split("\n")[0])
            for u in users for m in fake.sent(fake.private(u)) if _is_echo(m.text)
        }  # fmt: skip
        await eventually(lambda: len(answered()) == PEOPLE * EACH, timeout=120,
                         what="an echo for every report")  # fmt: skip
    finally:
        await bot.stop()
    assert echoes() >= PEOPLE * EACH
    store = store_choice.open_configured(config, bot_environ())  # the store the bot used
    try:
        period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
        reports = store.reports.in_period("danso", period)
        assert len(reports) == PEOPLE * EACH, "each report stored exactly once"
        per_message = Counter((r.reporter, r.values.get("sinh")) for r in reports)
        assert set(per_message.values()) == {1}
        assert all(len(store.reports.versions(r.id)) == 1 for r in reports), "nothing half-made"
    finally:
        store.close()
