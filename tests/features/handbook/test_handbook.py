"""The handbook end to end: officers write notes for their area, everyone in it and below reads
them by topic (with or without diacritics), files travel with a note, and only officers write."""

from __future__ import annotations

import re

import aiohttp

from bot.core.clock import ManualClock
from bot.core.models import HandbookNote, OutboxFile
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, eventually

DENGUE = "Diệt lăng quăng, ngủ màn; sốt cao 2 ngày thì đến trạm y tế."
VACCINES = "Tiêm chủng mở rộng ngày 15 hằng tháng tại trạm y tế xã."
PDF = b"%PDF-1.4 huong dan phong chong sot xuat huyet " * 40


async def test_officers_write_and_everyone_below_reads(world: World) -> None:
    """A note of the region is read in both communes; a note of Xã Hương Sơn only there; the
    officer of a commune cannot edit the region's note; a retired note is gone."""
    team = await district_team(world)
    d = world.driver
    region, lan = d.private(team.region), d.private(team.lan)
    hoa, binh = d.private(team.hoa), d.private(team.binh)

    assert await d.say(team.hoa, hoa, "/camnang") == ["Cẩm nang chưa có ghi chú nào."]
    added = await d.say(team.region, region, f"/camnang them\nSốt xuất huyết: {DENGUE}")
    assert added == [
        "✅ Đã thêm ghi chú «Sốt xuất huyết» cho Trung tâm Y tế khu vực Hồng Lĩnh. "
        "Xem: /camnang Sốt xuất huyết"
    ]
    await d.say(team.lan, lan, f"/camnang them Tiêm chủng\n{VACCINES}")
    listing = (await d.say(team.hoa, hoa, "/camnang"))[0]
    assert listing.splitlines()[:3] == [
        "📘 Cẩm nang (2 chủ đề):",
        "• Sốt xuất huyết – Trung tâm Y tế khu vực Hồng Lĩnh",
        "• Tiêm chủng – Xã Hương Sơn",
    ]
    assert "Thêm:" not in listing, "collaborators read only"
    assert "Tiêm chủng" not in (await d.say(team.binh, binh, "/camnang"))[0], "another commune"
    assert await d.say(team.binh, binh, "/handbook sot xuat huyet") == [
        f"📘 Sốt xuất huyết (Trung tâm Y tế khu vực Hồng Lĩnh)\n{DENGUE}"
    ]
    assert (await d.say(team.hoa, hoa, "/camnang tiem"))[0].startswith("📘 Tiêm chủng (Xã")
    assert await d.say(team.binh, binh, "/camnang tiem chung") == [
        "Không có ghi chú «tiem chung». Gõ /camnang để xem các chủ đề."
    ]

    assert await d.say(team.hoa, hoa, "/camnang them Tin đồn: sai") == [
        "Chỉ cán bộ mới thêm, sửa, xóa cẩm nang. Xem: /camnang <chủ đề>"
    ]
    assert (await d.say(team.lan, lan, "/camnang them Sốt"))[0].startswith(
        "Cách thêm ghi chú:\n/camnang them <chủ đề>: <nội dung>"
    )
    assert await d.say(team.lan, lan, "/camnang them tiem chung: lần hai") == [
        "Xã Hương Sơn đã có ghi chú «Tiêm chủng». Sửa: /camnang sua Tiêm chủng: <nội dung mới>"
    ]
    assert await d.say(team.lan, lan, "/camnang sua sot xuat huyet: khác") == [
        "Ghi chú «Sốt xuất huyết» của Trung tâm Y tế khu vực Hồng Lĩnh, ngoài địa bàn của bạn."
    ]
    edited = await d.say(team.region, region, "/camnang sua sot xuat huyet: Mới: ngủ màn.")
    assert edited == ["✅ Đã sửa ghi chú «Sốt xuất huyết» (Trung tâm Y tế khu vực Hồng Lĩnh)."]
    assert (await d.say(team.binh, binh, "/camnang Sốt xuất huyết"))[0].endswith("Mới: ngủ màn.")

    assert await d.say(team.lan, lan, "/camnang xoa Tiêm chủng") == [
        "Đã xóa ghi chú «Tiêm chủng» (Xã Hương Sơn)."
    ]
    assert "Tiêm chủng" not in (await d.say(team.hoa, hoa, "/camnang"))[0]


async def test_topics_as_buttons_in_a_group(tg_world: World) -> None:
    """In a commune's Telegram group the list has a button per topic; a press shows the note
    there, and a topic matching several notes lists them."""
    team = await district_team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    group = bind_huong_son_group(tg_world, team)
    await d.say(team.lan, group, "/gannhom Xã Hương Sơn")
    await d.say(team.lan, d.private(team.lan), f"/camnang them Sốt xuất huyết: {DENGUE}")
    await d.say(team.lan, d.private(team.lan), "/camnang them Sốt rét: Ngủ màn.")
    await d.say(team.hoa, group, "/camnang")
    listing = fake.sent(group)[-1]
    assert listing.buttons == ((("Sốt rét", "hb:2"),), (("Sốt xuất huyết", "hb:1"),))
    handled = tg_world.bot.handled
    fake.press(team.tu.handle, group, listing.message_id, "hb:1")
    await eventually(lambda: tg_world.bot.handled > handled, what="the press")
    assert d.texts(group)[-1] == f"📘 Sốt xuất huyết (Xã Hương Sơn)\n{DENGUE}"
    several = (await d.say(team.tu, group, "/camnang sot"))[0]
    assert several == (
        "Có 2 chủ đề khớp «sot». Gõ /camnang và tên đầy đủ:\n• Sốt rét\n• Sốt xuất huyết"
    )


async def test_a_note_with_a_file_is_kept(tg_world: World, clock: ManualClock) -> None:
    """An officer replies to a document with /camnang them …: readers get the document with
    the note, and housekeeping keeps the file as long as the note lives."""
    team = await district_team(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    lan = d.private(team.lan)
    await d.say(team.lan, lan, "", document=("Hướng dẫn SXH.pdf", PDF, "application/pdf"))
    doc = next(m for m in reversed(fake.history(lan)) if m.document and not m.from_bot)
    added = await d.say(
        team.lan, lan, "/camnang them Sốt xuất huyết: Xem tệp.", reply_to=doc.message_id
    )
    assert added[0].startswith("✅ Đã thêm ghi chú «Sốt xuất huyết» cho Xã Hương Sơn.")

    async def read() -> None:
        reply = await d.say(team.hoa, d.private(team.hoa), "/camnang sot xuat huyet")
        assert reply == ["📘 Sốt xuất huyết (Xã Hương Sơn)\nXem tệp."]
        sent = fake.sent(d.private(team.hoa))[-1]
        assert sent.document is not None and sent.document["file_name"] == "Hướng dẫn SXH.pdf"
        assert fake.file_bytes(sent.document["file_id"]) == PDF

    await read()
    clock.advance(days=40)  # past delivery.keep_days
    app = tg_world.bot.app
    assert app is not None and app.services is not None
    app.services.privacy.housekeeping.run_once()
    await read()


async def test_a_note_file_reaches_each_platform(world: World) -> None:
    """Telegram readers get the file itself; Zalo readers, which get no files, a signed link
    made for them that serves the bytes."""
    base = "https://bot.example.org"
    team = await district_team(world, public_base_url=base)
    d = world.driver
    app = world.bot.app
    assert app is not None and app.services is not None and app.store is not None
    files = app.services.files.store
    stored = files.put(PDF, name="Hướng dẫn.pdf", mime="application/pdf", owner=None)
    app.store.handbook.add(
        HandbookNote(
            id=0, area="18133", topic="Hướng dẫn", text="Xem tệp.", created_at=app.clock.now(),
            file=OutboxFile(stored.id, stored.name, "document", stored.mime),
        )
    )  # fmt: skip
    reply = await d.say(team.hoa, d.private(team.hoa), "/camnang huong dan")
    assert reply[0].startswith("📘 Hướng dẫn (Xã Hương Sơn)\nXem tệp.")
    if world.platform == "telegram":
        sent = world.fake.sent(d.private(team.hoa))[-1]
        assert world.fake.file_bytes(sent.document["file_id"]) == PDF
        return
    url = re.search(rf"{re.escape(base)}(/f/\S+)", reply[0])
    assert url, reply
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{app.web_port}{url.group(1)}") as resp:
            assert resp.status == 200 and await resp.read() == PDF
