"""Group mentions through the fake Zalo API: getMe answers the documented shape (no display
name), so the transport strips "@Bot …" however the bot is named and wherever it stands."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import Sink


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@Bot Dân số /bc sinh 2", "/bc sinh 2"),
        ("@Bot Dân số: /bc tu 1", "/bc tu 1"),
        ("/bc 2 @Bot Dân số", "/bc 2"),
        ("/bc sinh 2 @Bot Dân số", "/bc sinh 2"),
    ],
)
async def test_mention_is_stripped_without_a_display_name(
    fake: FakeZalo, running: Any, typed: str, expected: str
) -> None:
    """The fake's getMe has no display_name (as documented); the mention still goes."""
    sink = Sink()
    platform = await running(sink)
    assert platform.display_name == ""
    group = fake.group("Xã Cẩm Xuyên")
    await fake.type_as(fake.user("Lan"), group, typed)
    (got,) = await sink.wait()
    assert (got.text, got.mentions_bot) == (expected, True)


@pytest.mark.parametrize("fake", [{"getme_display_name": True}], indirect=True)
async def test_known_name_is_stripped_anywhere(fake: FakeZalo, running: Any) -> None:
    """Where getMe does name the bot (one source), a mention mid-text goes, the rest stays."""
    sink = Sink()
    platform = await running(sink)
    assert platform.display_name == "Bot Dân số"
    group = fake.group("Xã Cẩm Xuyên")
    lan = fake.user("Lan")
    await fake.type_as(lan, group, "/bc 2 @Bot Dân số sinh 3")
    (got,) = await sink.wait()
    assert got.text == "/bc 2 sinh 3"


async def test_a_learned_name_is_stripped_mid_text(fake: FakeZalo, running: Any) -> None:
    """A leading mention before a command teaches the name; later mid-text ones go exactly."""
    sink = Sink()
    await running(sink)
    group = fake.group("Xã Cẩm Xuyên")
    lan = fake.user("Lan")
    await fake.type_as(lan, group, "@Bot Dân số /bc sinh 2")
    await fake.type_as(lan, group, "/bc 2 @Bot Dân số sinh 3")
    first, second = await sink.wait(2)
    assert (first.text, second.text) == ("/bc sinh 2", "/bc 2 sinh 3")


async def test_private_text_keeps_its_at_sign(fake: FakeZalo, running: Any) -> None:
    """Only group texts carry a mention: an "@" in a private chat is the person's own text."""
    sink = Sink()
    await running(sink)
    await fake.type_as(fake.user("Lan"), None, "/bc 2 @Bot Dân số")
    (got,) = await sink.wait()
    assert got.text == "/bc 2 @Bot Dân số"
