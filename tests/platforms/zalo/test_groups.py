"""Groups as documented (issue #21, point 7): a photo reaches the bot only when the mention is
in its own caption (a reply is not enough), and a group send Zalo does not confirm (no
`message_id` in its answer) is reported as unconfirmed, never as a made-up id."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.core.messages import ChatKind, ChatRef, Outgoing
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.helpers import Sink, until

JPEG = b"\xff\xd8\xff\xe0 the register"


async def test_a_group_photo_arrives_only_with_the_mention_in_its_caption(
    fake: FakeZalo, running: Any
) -> None:
    """A photo replying to the bot is not passed on; one mentioning it in its caption is,
    with the mention stripped from the caption."""
    sink = Sink()
    platform = await running(sink)
    group = fake.group("Xã Cẩm Xuyên")
    lan = fake.user("Lan")
    await fake.type_as(lan, group, "@Bot Dân số /bc sinh 2")
    await sink.wait()
    chat = ChatRef("zalo", "zalo1", group.id, ChatKind.GROUP)
    asked = await platform.send(Outgoing(chat, "Gửi ảnh sổ nhé"))
    url = fake.host_media(JPEG)
    await fake.send_image_as(lan, group, url, caption="sổ tháng 3", reply_to=asked.first_id)
    await fake.send_image_as(lan, group, url, caption="@Bot Dân số sổ tháng 3")
    _, photo = await sink.wait(2)
    await until(lambda: len(fake.history(group)) >= 4)
    assert len(sink.got) == 2
    assert (photo.text, photo.mentions_bot) == ("sổ tháng 3", True)
    assert [a.kind for a in photo.attachments] == ["photo"]
    replied = [m for m in fake.history(group) if m.kind == "photo" and m.reply_to]
    assert len(replied) == 1 and not replied[0].delivered


@pytest.mark.parametrize("fake", [{}, {"confirm_group_sends": False}], indirect=True)
async def test_an_unconfirmed_group_send_has_no_message_id(
    fake: FakeZalo, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Confirmed: the ids Zalo answered. Unconfirmed: no id at all (not an empty one), and a
    warning naming the chat kind only."""
    platform = await running(Sink())
    group = fake.group("Xã Cẩm Xuyên")
    chat = ChatRef("zalo", "zalo1", group.id, ChatKind.GROUP)
    with caplog.at_level(logging.WARNING):
        ref = await platform.send(Outgoing(chat, "Họp giao ban 8 giờ"))
    sent = fake.sent(group)
    assert len(sent) == 1  # sent once, never repeated to "make sure"
    if fake.confirm_group_sends:
        assert ref.message_ids == (sent[0].message_id,)
        assert "not confirmed" not in caplog.text
    else:
        assert ref.message_ids == ()
        assert "not confirmed" in caplog.text and group.id not in caplog.text
