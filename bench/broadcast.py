"""One directive to 1,000 Telegram groups under the flood limits, against the floor.

The fake Telegram enforces Telegram's limits (30 calls a second in all, 20 a minute into a
group, 1 a second into a private chat; 429 with retry_after beyond them); the bot runs with its
real limits (the shipped defaults). The team comes from the directive tests' seed
(tests/support/directive_seed.py): a region with 1,000 communes, each with one bound group
where the
bot is an admin (so each copy is also pinned) and one collaborator; an officer of the region.
The officer types `/chithi all: …`, then presses the preview's confirm button.

- floor: every successful flood-limited call the broadcast made (the sends into the groups,
  the pins, the officer's confirmation, progress edits and summary) / 30 per second;
- ours: from the press to the last of those calls, as the fake's request log times them;
- lost: groups without a copy; breaches: the fake's log replayed against Telegram's sliding
  windows (`window_breaches` of the delivery tests).

The bot is `python -m bot run` in a child process (its event loop shared with nothing else, as
in production); the fake runs in this one. The officer reads the preview for 2 s before
pressing (a press within a second of the preview would wait for the private chat's own
1-a-second limit, which is no part of the broadcast).

Alone: `python bench/run.py --only broadcast`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from typing import Any

from common import Context, Outcome, Row, stop_process, verdict
from fakeworld import spawn_bot, until

from bot.core.i18n import Translator
from tests.fakes.loopback import monotonic
from tests.fakes.telegram_api import FakeTelegram
from tests.support.delivery_helpers import SEND_METHODS, window_breaches
from tests.support.directive_seed import DIRECTIVE, deadline_words, seed_store, telegram_team
from tests.support.harness import TG_TOKEN, write_config

GROUPS = 1000
LIMITS = {"per_second_total": 30, "per_minute_per_group": 20, "per_second_per_chat": 1}
TARGET_RATIO = 1.05
# The directive's first line, as the catalog writes it (the heading is configurable).
HEADER = Translator()("vi", "directive.message", number=1, author="").split("\n", 1)[0]
READING_S = 2.0


async def _broadcast(ctx: Context, groups: int) -> dict[str, Any]:
    folder = ctx.tmp / "broadcast"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    fake = FakeTelegram()
    await fake.start()
    proc: Any = None
    try:
        fake.add_bot(TG_TOKEN, username="DansoBot")
        team = telegram_team(
            fake, groups=groups, private_communes=0, villages=1, per_village=0,
            bot_is_admin=lambda i: True,
        )  # fmt: skip
        fake.limits(**LIMITS)
        config = write_config(
            folder, admins=[], telegram_url=fake.base_url,
            extra={"areas": team.tree, "delivery": {},
                   "logging": {"level": "INFO", "format": "json"}},
        )  # fmt: skip
        seed_store(config, team.members, team.bindings)
        proc = await spawn_bot(config, folder / "bot.log")
        await fake.wait_polling(timeout=60)
        me = fake.private(team.officer)
        han, _ = deadline_words()
        before = len(fake.sent(me))
        fake.type_as(team.officer, me, f"/chithi all: {DIRECTIVE} {han}")
        await until(lambda: len(fake.sent(me)) > before, 60, "the preview")
        preview = fake.sent(me)[-1]
        assert preview.buttons and preview.buttons[0][0][1] == "dir:confirm", preview.text
        await asyncio.sleep(READING_S)
        confirmed = monotonic()
        fake.press(team.officer, me, preview.message_id, "dir:confirm")
        await until(
            lambda: fake.sent(me)[-1].text.startswith("✅ Đã gửi xong"),
            groups / 10 + 120,
            "the officer's summary",
        )
        await until(lambda: all(fake.pinned(g) for g in team.groups), 120, "every group's pin")
        await asyncio.sleep(3)  # anything still trickling out (a last progress edit)
        after = [e for e in fake.log.entries if e.at >= confirmed]
        calls = [e for e in after if e.method.lower() in SEND_METHODS and e.status == 200]
        lost = sum(1 for g in team.groups if not any(m.text.startswith(HEADER)
                                                     for m in fake.sent(g)))  # fmt: skip
        return {
            "calls": len(calls),
            "methods": Counter(e.method for e in calls),
            "refused": sum(1 for e in after if e.status == 429),
            "took": calls[-1].at - confirmed,
            "first_copy": next(
                (e.at - confirmed for e in calls if str(e.params.get("chat_id")).startswith("-")),
                float("nan"),
            ),
            "lost": lost,
            "breaches": window_breaches(fake.log.entries, **LIMITS),
            "summary": fake.sent(me)[-1].text,
        }
    finally:
        if proc is not None:
            await stop_process(proc)
        await fake.stop()


def run(ctx: Context) -> Outcome:
    groups = GROUPS // 10 if ctx.quick else GROUPS
    r = asyncio.run(_broadcast(ctx, groups))
    floor = r["calls"] / LIMITS["per_second_total"]
    ratio = r["took"] / floor
    ok = ratio <= TARGET_RATIO and r["lost"] == 0 and not r["breaches"]
    print(
        f"broadcast: {r['calls']} calls in {r['took']:.1f} s, floor {floor:.1f} s "
        f"({ratio:.3f}×), lost {r['lost']}, breaches {len(r['breaches'])}",
        flush=True,
    )
    rows = [
        Row(
            measure=f"directive to {groups:,} groups, limits on (lost, breaches)",
            anchor=f"floor {r['calls']:,} calls / 30 per s = {floor:.1f} s",
            ours=f"{r['took']:.1f} s ({r['lost']} lost, {len(r['breaches'])} breaches)",
            ratio=f"{ratio:.3f}× (≤ {TARGET_RATIO:g}×, 0 lost, 0 breaches)",
            verdict=verdict(ok),
        )
    ]
    methods = ", ".join(f"{m} {n}" for m, n in sorted(r["methods"].items()))
    details = (
        f"Calls after the press: {methods}; {r['refused']} refused with 429 by the fake. "
        f"First copy into a group {r['first_copy']:.2f} s after the press. The officer's "
        f"last message: «{r['summary']}»."
        + (f" Breaches: {'; '.join(r['breaches'][:5])}" if r["breaches"] else "")
    )
    return Outcome(rows, details, r)
