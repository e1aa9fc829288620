"""A file received on Telegram goes out again: uploaded to a group, a signed link on Zalo."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.core.messages import Attachment, ChatKind, ChatRef
from bot.core.models import OutboxFile
from bot.delivery.outbox import Message
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.delivery_helpers import finished, private_chat, start_config, started
from tests.support.harness import ZALO_BOT

# Waits (retries, limits, timeouts) on the loop's time, by the bot and the fake alike; idle
# waits skipped.
pytestmark = pytest.mark.virtual_time
PDF = b"%PDF-1.4 ke hoach chien dich thang 12 " * 50


async def test_telegram_document_is_relayed_to_a_group_and_as_a_link_on_zalo(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """getFile brings the bytes in; Telegram gets them uploaded, Zalo a link that serves them."""
    officer = fake_telegram.user(900001, "Cán bộ Lan")
    group = fake_telegram.group(-1001, "Nhóm Hương Sơn", admins=[officer])
    hoa = fake_zalo.user("Chị Hoa")
    await fake_zalo.type_as(hoa, None, "xin chào")
    config = start_config(
        tmp_path, tg=fake_telegram, zl=fake_zalo, admins=[f"telegram:{officer.id}"],
        public_base_url="https://bot.example.org",
    )  # fmt: skip
    bot, app = await started(tmp_path, config)
    try:
        sent = fake_telegram.type_as(
            officer, fake_telegram.private(officer), document=("Kế hoạch tháng 12.pdf", PDF),
            caption="kế hoạch",
        )  # fmt: skip
        doc = sent["document"]
        officer_chat = ChatRef("telegram", "", str(officer.id), ChatKind.PRIVATE)
        assert app.services is not None and app.store is not None
        data = await app.services.delivery.sender.download(
            officer_chat, Attachment("document", file_id=doc["file_id"], name=doc["file_name"])
        )
        assert data == PDF
        stored = app.services.files.store.put(
            data, name=doc["file_name"], mime="application/pdf", owner=None
        )
        hoa_person = app.store.people.by_account(f"zalo:{ZALO_BOT}:{hoa.id}")
        attached = OutboxFile(file_id=stored.id, name=stored.name)
        group_ref = ChatRef("telegram", "", str(group.id), ChatKind.GROUP)
        job = app.services.delivery.outbox.enqueue(
            [
                Message(group_ref, "Kế hoạch", file=attached),
                Message(private_chat("zalo", ZALO_BOT, hoa.id), "Kế hoạch", file=attached,
                        recipient=hoa_person.id if hoa_person else None),
            ],
            kind="test",
        )  # fmt: skip
        assert (await finished(app, job, timeout=15)).summary == {"sent": 2}

        uploaded = fake_telegram.sent(group)[-1]
        assert uploaded.document is not None and uploaded.text == "Kế hoạch"
        assert fake_telegram.file_bytes(uploaded.document["file_id"]) == PDF

        zalo_text = fake_zalo.sent(fake_zalo.private(hoa))[-1].text
        url = re.search(r"https://bot\.example\.org(/f/\S+)", zalo_text)
        assert zalo_text.startswith("Kế hoạch") and url, zalo_text
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{app.web_port}{url.group(1)}") as resp:
                assert resp.status == 200
                assert await resp.read() == PDF
                assert "filename*=UTF-8''K%E1%BA%BF" in resp.headers["Content-Disposition"]
    finally:
        await bot.stop()
