"""Fuzzing the real path: random Unicode (emoji, zero-width, right-to-left, control characters),
10,000-character messages, empty and separator-only ones, after every command a person may
type. Never an unhandled error, never a refused reply, never a half-written report."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.directive_helpers import Team, district_team
from tests.support.harness import World, eventually

PREFIXES = [
    "", "/bc ", "/baocao ", "/sua ", "/huybaocao ", "/cuatoi ", "/thieu ", "/chithi ", "/xacnhan",
    "/danhan ", "ok ", "đã nhận ", "/tinhtrang ", "/nhac them ", "/nhac xoa ", "/tonghop ",
    "/xuat ", "/dangky ", "/duyet ", "/vaitro ", "/lienket ", "/ngonngu ", "/toi ", "/huy ", "/",
    "/bc@OtherBot ", "bỏ qua ", "1",
]  # fmt: skip
ODD = "\u200b\u200c\u200d\u200e\u200f\u202e\u2066\ufeff\u0000\u0007\t\n\r ,;|:=/#"
PIECE = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(ODD),
    st.sampled_from("ạảấầẩẫậăắằẳẵặđêếềểễệơớờởỡợưứừửữự0123456789 "),
    st.sampled_from(["😀", "🇻🇳", "👨‍👩‍👧", "ש", "مرحبا", "\U0001f9ea", "sinh ", "chết ", "thôn "]),
)
TEXT = st.lists(PIECE, max_size=120).map("".join)


@pytest.fixture
async def team(tg_world: World) -> Team:
    return await district_team(tg_world)


@settings(
    max_examples=120, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(prefix=st.sampled_from(PREFIXES), body=TEXT, who=st.sampled_from(["hoa", "lan", "binh"]))
@example(prefix="/bc ", body="sinh " + "9" * 10_000, who="hoa")
@example(prefix="/chithi all: ", body="x" * 10_000, who="lan")
@example(prefix="", body=" ,;|\n\t ", who="hoa")
@example(prefix="/bc ", body="\u202esinh 2\u202c chet\u200b 1", who="hoa")
async def test_nothing_breaks(
    tg_world: World, team: Team, prefix: str, body: str, who: str
) -> None:
    person = getattr(team, who)
    d = tg_world.driver
    chat = d.private(person)
    before = len(d.texts(chat))
    handled = tg_world.bot.handled
    text = (prefix + body).replace("\x00", "")  # Telegram itself never delivers NUL
    if not text.strip():
        return  # Telegram never delivers an empty message either
    await d.type(person, chat, text)
    await eventually(lambda: tg_world.bot.handled > handled, what="the message handled")
    replies = d.texts(chat)[before:]
    assert not any(r.startswith("Xin lỗi, đã có lỗi") for r in replies), (text[:200], replies)


async def test_after_fuzzing_the_store_is_whole(
    tg_world: World, team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    """The same messages again (a short run), then every check of the store and the fake."""
    caplog.set_level(logging.WARNING)
    d = tg_world.driver
    for k, prefix in enumerate(PREFIXES):
        await d.say(team.hoa, d.private(team.hoa), f"{prefix}{ODD * (k + 1)}sinh {k} 😀")
    refused = [e for e in tg_world.fake.log.entries if e.method.lower().startswith("send")
               and e.status != 200]  # fmt: skip
    assert refused == [], refused
    app = tg_world.bot.app
    assert app is not None and app.store is not None
    store = app.store
    for report in store.reports.in_period("danso", "2026-11"):
        versions = store.reports.versions(report.id)
        assert [v.version for v in versions] == list(range(1, len(versions) + 1))
        assert all(isinstance(v, int) and v >= 0 for v in report.values.values()
                   if not isinstance(v, str))  # fmt: skip
    assert not [r for r in caplog.records if "handler failed" in r.getMessage()]


async def test_a_refusal_quotes_at_most_a_little_of_a_huge_message(
    tg_world: World, team: Team
) -> None:
    d = tg_world.driver
    reply = await d.say(team.hoa, d.private(team.hoa), "/bc sinh " + "9" * 10_000)
    assert len(reply) == 1 and len(reply[0]) < 1000, len(reply[0])
    assert "0 đến 999" in reply[0] or "999" in reply[0], reply[0]
