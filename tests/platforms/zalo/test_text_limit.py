"""The 2,000 limit counted conservatively (issue #21, point 9): the larger of code points and
UTF-16 units, since Zalo does not say which it counts; the fake refuses past either."""

from __future__ import annotations

from typing import Any

from bot.core.messages import ChatKind, ChatRef, OutFile, Outgoing
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import Sink

# An emoji is one code point but two UTF-16 units; Vietnamese letters are one of each.
LINE = "Thôn 3 đã báo cáo 🎉🎉"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _chat(fake: FakeZalo) -> tuple[Any, ChatRef]:
    lan = fake.user("Lan")
    await fake.type_as(lan, None, "chào")
    return lan, ChatRef("zalo", "zalo1", lan.id, ChatKind.PRIVATE)


async def test_text_under_2000_code_points_but_over_in_utf16_is_split(
    fake: FakeZalo, running: Any
) -> None:
    """1,900 code points that are 2,000+ UTF-16 units go out in two parts, none refused."""
    platform = await running(Sink())
    lan, chat = await _chat(fake)
    text = " ".join([LINE] * 90)
    assert len(text) < 2000 < _utf16(text)
    ref = await platform.send(Outgoing(chat, text))
    sent = fake.sent(fake.private(lan))
    assert len(sent) == len(ref.message_ids) == 2
    assert all(_utf16(m.text) <= 2000 for m in sent)
    assert " ".join(m.text for m in sent) == text


async def test_photo_caption_counted_in_utf16_goes_after_the_photo(
    fake: FakeZalo, running: Any
) -> None:
    """A caption too long in UTF-16 units is not sent as the caption: the text follows."""
    platform = await running(Sink())
    lan, chat = await _chat(fake)
    url = fake.host_media(b"\xff\xd8\xff" + b"0" * 100)
    text = " ".join([LINE] * 90)
    await platform.send(Outgoing(chat, text, file=OutFile(name="so.jpg", kind="photo", url=url)))
    sent = fake.sent(fake.private(lan))
    assert sent[0].caption == ""
    assert " ".join(m.text for m in sent[1:]) == text
