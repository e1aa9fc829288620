"""Answers to the bot's own questions are not a flood: a collaborator filling a 20-question form
at one keypad press (Telegram) or one typed answer (Zalo) a second is never told to slow down,
with the shipped intake limit (30 a minute, 10 at once); a flood of answers is still held. Then
the throttle's two allowances as a table."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app.intake import Inbound
from bot.app.intake_throttle import ANSWERS_SHARE, Throttle, Verdict
from bot.core.clock import ManualTicker
from bot.core.models import Role
from tests.support.directive_seed import Member, seed_store
from tests.support.harness import Person, World, eventually, write_config

SON_NINH = "18133-01"
QUESTIONS = 20
SHIPPED_LIMITS = {"per_person_per_minute": 30, "burst": 10, "max_waiting_per_chat": 50}
LONG_FORM = {
    "default_report_type": "theodoi",
    "report_types": [
        {
            "code": "theodoi",
            "name": {"vi": "Theo dõi tháng", "en": "Monthly follow-up"},
            "mode": "event",
            "period": "month",
            "fields": [
                {"code": f"muc_{k:02d}", "name": {"vi": f"Mục thứ {k}", "en": f"Item {k}"}}
                for k in range(1, QUESTIONS + 1)
            ],
        }
    ],
}
SLOW_DOWN = "gửi nhanh quá"


async def _collaborator(world: World) -> tuple[Person, Any, Inbound]:
    """Chị Hoa, collaborator of Thôn Sơn Ninh, under the shipped intake limit."""
    hoa = world.driver.person("Chị Hoa")
    extra = {"intake": SHIPPED_LIMITS, **LONG_FORM}
    url = {f"{world.platform}_url": world.fake.base_url}
    config = write_config(world.folder, admins=[], extra=extra, **url)
    seed_store(config, [Member("Chị Hoa", hoa.key, Role.COLLABORATOR, SON_NINH)], [])
    app = await world.bot.start()
    assert app.inbound is not None
    return hoa, world.driver.private(hoa), app.inbound


async def _send(world: World, inbound: Inbound, act: Any) -> None:
    """Do `act` (type, or press) and wait until intake took it in and the bot handled it, or
    refused it."""
    before = inbound.handled + inbound.throttled
    result = act()
    if asyncio.iscoroutine(result):
        await result
    await eventually(lambda: inbound.handled + inbound.throttled > before, what="the event")


async def test_a_20_question_form_at_one_answer_a_second_is_never_throttled(
    world: World,
) -> None:
    hoa, chat, inbound = await _collaborator(world)
    d, fake, tg = world.driver, world.fake, world.platform == "telegram"
    loop = asyncio.get_running_loop()
    start = loop.time()
    events = 0

    async def at_pace(act: Any) -> None:
        """One event a second, the pace of a person answering without thinking."""
        nonlocal events
        await asyncio.sleep(max(0.0, start + events - loop.time()))
        events += 1
        await _send(world, inbound, act)

    def press(suffix: str) -> Any:
        question = [m for m in fake.sent(chat) if m.buttons][-1]
        data = next(x for row in question.buttons for _, x in row if x.endswith(suffix))
        return lambda: fake.press(hoa.handle, chat, question.message_id, data)

    await at_pace(lambda: d.type(hoa, chat, "/baocao"))
    for k in range(1, QUESTIONS + 1):
        assert f"câu {k}/{QUESTIONS}: Mục thứ {k}?" in d.texts(chat)[-1]
        digit = str(k % 10)
        if tg:  # the keypad: the digit, then OK
            await at_pace(press(f":d:{digit}"))
            await at_pace(press(":ok"))
        else:
            await at_pace(lambda digit=digit: d.type(hoa, chat, digit))
    assert d.texts(chat)[-1].startswith("📋 Kiểm tra trước khi lưu: Theo dõi tháng")
    await at_pace(press(":save") if tg else lambda: d.type(hoa, chat, "lưu"))

    texts = d.texts(chat)
    assert not any(SLOW_DOWN in t for t in texts), "an answer a second is no flood"
    assert inbound.throttled == 0
    assert texts[-1].startswith("✅ Đã lưu báo cáo Theo dõi tháng – Thôn Sơn Ninh")
    assert events == (2 * QUESTIONS if tg else QUESTIONS) + 2
    assert loop.time() - start >= events - 1, "at one event a second, not faster"
    app = world.bot.app
    assert app is not None and app.store is not None
    person = app.store.people.by_account(hoa.key)
    assert person is not None
    [report] = app.store.reports.latest_by_reporter(person.id, limit=5)
    assert report.values == {f"muc_{k:02d}": k % 10 for k in range(1, QUESTIONS + 1)}


async def test_a_flood_of_answers_to_an_open_form_is_still_held(tg_world: World) -> None:
    """500 typed answers at once to an open form: the answers' allowance (three times the
    other: 30 at once) and one polite note; the rest refused before they cost anything."""
    hoa, chat, inbound = await _collaborator(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    await _send(tg_world, inbound, lambda: d.type(hoa, chat, "/baocao"))
    for _ in range(500):
        fake.type_as(hoa.handle, chat, "1")
    await eventually(lambda: inbound.handled + inbound.throttled >= 501, timeout=30)
    assert inbound.handled <= 1 + 10 * ANSWERS_SHARE + 2, "the burst, and what refilled"
    assert inbound.throttled >= 500 - 10 * ANSWERS_SHARE - 2
    await eventually(lambda: any(SLOW_DOWN in t for t in d.texts(chat)))
    assert sum(SLOW_DOWN in t for t in d.texts(chat)) == 1, "one polite note a minute"


# (what, an answer or not, events a second, how many, refused, polite notes). The shipped limit:
# 30 a minute, 10 at once; answers three times that: 90 a minute (1.5 a second), 30 at once.
PACES = [
    ("form answers at a press a second, 5 minutes", True, 1.0, 300, 0, 0),
    ("form answers at two presses a second, 30 s", True, 2.0, 60, 0, 0),
    # 30 at once, then 1.5 a second for the 179 gaps of half a third of a second: 30 + 89 pass.
    ("answers at 3 a second for a minute", True, 3.0, 180, 180 - 30 - 89, 1),
    ("answers flooded at 100 a second for 10 s", True, 100.0, 1000, 1000 - 30 - 14, 1),
    # 10 at once, then one every 2 s for the 59 gaps of a second: 10 + 29 pass.
    ("other messages at one a second", False, 1.0, 60, 60 - 10 - 29, 1),
    ("other messages at one every 2 s", False, 0.5, 60, 0, 0),
]


@pytest.mark.parametrize(("answer", "per_second", "count", "refused", "notes"),
                         [p[1:] for p in PACES], ids=[p[0] for p in PACES])  # fmt: skip
def test_the_answers_allowance_by_pace(
    answer: bool, per_second: float, count: int, refused: int, notes: int
) -> None:
    ticker = ManualTicker()
    throttle = Throttle(per_minute=30, burst=10, ticker=ticker)
    seen = []
    for _ in range(count):
        seen.append(throttle.check("hoa", answer=answer))
        ticker.advance(1 / per_second)
    assert sum(v is not Verdict.ALLOW for v in seen) == refused
    assert seen.count(Verdict.WARN) == notes


def test_answers_and_other_messages_do_not_eat_each_others_allowance() -> None:
    ticker = ManualTicker()
    throttle = Throttle(per_minute=30, burst=10, ticker=ticker)
    assert [throttle.check("hoa") for _ in range(10)] == [Verdict.ALLOW] * 10
    assert throttle.check("hoa") is Verdict.WARN, "the person's other allowance is spent"
    answers = [throttle.check("hoa", answer=True) for _ in range(30)]
    assert answers == [Verdict.ALLOW] * 30, "a form's answers still go through"
    assert throttle.check("hoa", answer=True) is Verdict.DROP, "told once a minute, no more"
    ticker.advance(2.0)
    assert throttle.check("hoa") is Verdict.ALLOW
    assert throttle.check("lan", answer=True) is Verdict.ALLOW, "another person is untouched"
