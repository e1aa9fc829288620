"""A form left open by 1,000 people: each starts a step-by-step /baocao and walks away after the
first question. The bot's memory grows by a bounded amount per open form and not per message
afterwards, another collaborator's report is still answered, and the forms expire and are purged
on time (the clock is a ManualClock; the sweep is called as the scheduler would).

Memory is what tracemalloc counts as allocated by the bot's own code (bot/, handlers/) and still
alive: the fake Telegram server runs in the same process and keeps every message, so the whole
process's size would measure the fake."""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.app.runtime import App
from bot.core.clock import ManualClock
from bot.core.models import Role
from tests.support.directive_seed import Member, area_tree, private_commune, seed_store, village
from tests.support.harness import World, eventually, write_config

PEOPLE = 1000
TRACED = 100  # the last forms opened, measured
PER_FORM_BYTES = 5 * 1024  # a generous bound per open form
LATER_MESSAGES = 100
PER_MESSAGE_BYTES = 1024  # what one later message may add (its update id, kept for dedupe)
FAST = {"telegram": {"per_second_total": None, "per_minute_per_group": None,
                     "per_second_per_chat": None}}  # fmt: skip
ROOT = Path(__file__).resolve().parents[3]
BOT_CODE = tuple(f"{ROOT / d}{os.sep}" for d in ("bot", "handlers"))  # where a file is the bot's


@contextmanager
def _traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def _bot_bytes() -> int:
    """Bytes allocated by the bot's own code and still alive: the traces grouped by the file
    that allocated them, then the bot's files kept (a few hundred names to look at, not each
    of the tens of thousands of traces)."""
    gc.collect()
    stats = tracemalloc.take_snapshot().statistics("filename")
    return sum(stat.size for stat in stats if stat.traceback[0].filename.startswith(BOT_CODE))


def _open_forms(app: App, keys: list[str]) -> int:
    assert app.store is not None
    return sum(app.store.prompts.get(f"telegram::{k}", f"telegram:{k}") is not None for k in keys)


async def test_a_form_left_open_by_1000_people(tg_world: World, clock: ManualClock) -> None:
    fake = tg_world.fake
    users = [fake.user(800_000 + i, f"CTV {i}") for i in range(PEOPLE)]
    hoa = fake.user(799_999, "Chị Hoa")
    fake.bot_state().started.update(u.id for u in [*users, hoa])
    config = write_config(  # where tg_world's bot reads it
        tg_world.folder, admins=[], telegram_url=fake.base_url,
        extra={"areas": area_tree(group_communes=0, private_communes=21, villages=50),
               "delivery": FAST},
    )  # fmt: skip
    seed_store(config, [
        Member(u.first_name, f"telegram:{u.id}", Role.COLLABORATOR,
               village(private_commune(i // 50 + 1), i % 50 + 1))
        for i, u in enumerate(users)
    ] + [Member("Chị Hoa", f"telegram:{hoa.id}", Role.COLLABORATOR,
                village(private_commune(21), 1))], [])  # fmt: skip
    app = await tg_world.bot.start()
    keys = [str(u.id) for u in users]
    hoa_chat = fake.private(hoa)

    def hoa_texts() -> list[str]:
        return [m.text for m in fake.sent(hoa_chat)]

    assert app.inbound is not None
    inbound = app.inbound

    async def handled(n: int, what: str) -> None:
        """Until `n` messages in all were handled (answered): a quiet moment to measure."""
        await eventually(lambda: inbound.handled >= n, timeout=60, what=what)

    # Tracing slows the bot five times: the first 900 forms open untraced, the last 100 are
    # measured (the growth is linear), and the later messages too.
    for u in users[:-TRACED]:
        fake.type_as(u, fake.private(u), "/baocao thaisan")
    await handled(PEOPLE - TRACED, "900 forms")
    with _traced():
        before = _bot_bytes()
        for u in users[-TRACED:]:
            fake.type_as(u, fake.private(u), "/baocao thaisan")
        # Someone else reports behind the last forms, and is answered.
        fake.type_as(hoa, hoa_chat, "/bc sinh 2, chet 1")
        await handled(PEOPLE + 1, "1,000 forms and the other collaborator's report")
        assert any(t.startswith("✅ Đã lưu báo cáo") for t in hoa_texts()), hoa_texts()
        assert _open_forms(app, keys) == PEOPLE
        opened = _bot_bytes()
        per_form = (opened - before) / TRACED
        assert 0 < per_form < PER_FORM_BYTES, f"{per_form:.0f} bytes per open form"

        # Later messages cost no memory for the open forms' sake.
        for _ in range(LATER_MESSAGES):
            fake.type_as(hoa, hoa_chat, "/cuatoi")
        await handled(PEOPLE + 1 + LATER_MESSAGES, "the later messages")
        later = _bot_bytes()
        per_message = (later - opened) / LATER_MESSAGES
        assert per_message < PER_MESSAGE_BYTES, f"{per_message:.0f} bytes per later message"

    # The forms expire after prompt_minutes (30), not before, and are purged with a note.
    clock.advance(minutes=29)
    assert await app.sweep_prompts() == 0
    assert _open_forms(app, keys) == PEOPLE
    clock.advance(minutes=2)
    await app.sweep_prompts()
    assert _open_forms(app, keys) == 0, "every expired form purged"
    for u in users:
        texts = [m.text for m in fake.sent(fake.private(u))]
        assert len(texts) == 2, texts
        assert texts[0].startswith("📝") and texts[1].startswith("⌛"), texts
