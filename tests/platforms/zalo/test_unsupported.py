"""Protected senders (issue #21, point 8): Zalo sends `message.unsupported.received` with the
content withheld on purpose (children, people with disabilities, people who cannot read…).
The bot answers with a short, kind reply saying what it could not read and what to do, and
reconstructs nothing."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from bot.core.i18n import Translator
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import World, eventually


async def test_a_protected_sender_gets_a_kind_reply_and_nothing_is_reconstructed(
    tmp_path: Path, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """One kind Vietnamese reply (type it as text, or ask the village officer); no other call
    to Zalo on the person's behalf, and nothing fetched."""
    world = World("zalo", fake_zalo, tmp_path, clock)
    em = world.driver.person("Em Mai")
    await world.start(admins=[])
    try:
        await fake_zalo.wait_polling()
        chat = fake_zalo.private(em.handle)
        await fake_zalo.send_unsupported_as(em.handle)
        await eventually(lambda: bool(fake_zalo.sent(chat)), what="the kind reply")
        (reply,) = fake_zalo.sent(chat)
        expected = Translator()("vi", "unsupported.withheld")
        assert reply.text == expected
        assert "gõ" in reply.text and "cán bộ thôn" in reply.text
        assert len(reply.text) <= 200
        assert fake_zalo.media_fetches == []
        sends = [c.method for c in fake_zalo.log.calls() if c.method.startswith("send")]
        assert sends.count("sendMessage") == 1 and "sendPhoto" not in sends
    finally:
        await world.bot.stop()
