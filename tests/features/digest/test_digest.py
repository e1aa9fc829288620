"""/tonghop end to end: the digest's text, chart and spreadsheet on Telegram and Zalo; the CLI."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from pathlib import Path

import aiohttp
import openpyxl

from tests.support.harness import Person, World
from tests.support.store_choice import embedded_only

ROOT = Path(__file__).resolve().parents[3]
BASE = "https://bot.example.org"


async def _team(world: World) -> dict[str, Person]:
    """A supervisor of the health region, an officer of Xã Hương Sơn and its two collaborators;
    Thôn Sơn Ninh has reported this month."""
    d = world.driver
    people = {n: d.person(n) for n in ("Quản trị", "Giám sát Hùng", "Cán bộ Lan", "Chị Hoa",
                                       "Anh Nam")}  # fmt: skip
    await world.start(admins=[people["Quản trị"]], public_base_url=BASE)
    numbers = {}
    for name, p in people.items():
        if name != "Quản trị":
            await d.say(p, d.private(p), "/batdau")
            me = (await d.say(p, d.private(p), "/toi"))[0]
            numbers[name] = re.search(r"mã số (\d+)", me).group(1)  # type: ignore[union-attr]
    admin = people["Quản trị"]
    roles = {"Giám sát Hùng": "giamsat R1", "Cán bộ Lan": "canbo Xã Hương Sơn",
             "Chị Hoa": "ctv Thôn Sơn Ninh", "Anh Nam": "ctv Thôn Sơn Trung"}  # fmt: skip
    for name, role in roles.items():
        await d.say(admin, d.private(admin), f"/vaitro {numbers[name]} {role}")
    hoa = people["Chị Hoa"]
    await d.say(hoa, d.private(hoa), "/bc sinh 2, chet 1")
    return people


async def _download(world: World, url: str) -> bytes:
    """GET a signed link from the bot's own web server (the public base is a proxy's name)."""
    port = world.bot.app.web_port  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}{url.removeprefix(BASE)}") as resp:
            assert resp.status == 200, resp.status
            return await resp.read()


def _births(data: bytes) -> int:
    """The births of the sheet's total row (its last)."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header, *rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert str(rows[-1][1]).startswith("Tổng cộng")
    return rows[-1][header.index("Sinh")]


async def test_digest_on_demand_with_its_chart_and_spreadsheet(world: World) -> None:
    """Text first; then Telegram gets a photo and a document, Zalo a photo by link and a link."""
    people = await _team(world)
    d = world.driver
    sup = people["Giám sát Hùng"]
    chat = d.private(sup)
    replies = await d.say(sup, chat, "/tonghop")
    text = replies[0]
    assert text.startswith("📋 Tổng hợp Trung tâm Y tế khu vực Hồng Lĩnh – ngày 23/11/2026")
    for line in (
        "Đã báo cáo: 1/2 thôn (50%)",
        "• Phường Bắc Hồng Lĩnh: chưa có cộng tác viên",
        "• Xã Hương Sơn: 1/2",
        "• Sinh: 2 (0)",
        "• Thôn Sơn Trung (Xã Hương Sơn): Anh Nam",
    ):
        assert line in text.splitlines(), line
    if world.platform == "telegram":
        sent = world.fake.sent(chat)
        assert len(replies) == 3
        photo, document = sent[-2].photo, sent[-1].document
        assert photo is not None and sent[-2].text.startswith("📈 Tỷ lệ thôn đã báo cáo")
        assert world.fake.file_bytes(photo[-1]["file_id"]).startswith(b"\x89PNG")
        assert document is not None and document["file_name"] == "tong-hop-R1-2026-11-23.xlsx"
        sheet = world.fake.file_bytes(document["file_id"])
    else:
        assert len(replies) == 2, "the text (with the link), then the photo"
        message = world.fake.sent(chat)[-1]
        assert message.kind == "photo" and message.photo.startswith(f"{BASE}/f/")
        assert message.caption.startswith("📈 Tỷ lệ thôn đã báo cáo")
        assert (await _download(world, message.photo)).startswith(b"\x89PNG")
        link = re.search(rf"{re.escape(BASE)}/f/\S+", text)
        assert link, text
        sheet = await _download(world, link.group(0))
    assert _births(sheet) == 2


async def test_an_officer_asks_for_a_past_day_and_a_collaborator_is_refused(
    world: World,
) -> None:
    """/tonghop 22/11 leaves out today's report; collaborators cannot ask for a digest."""
    people = await _team(world)
    d = world.driver
    officer, hoa = people["Cán bộ Lan"], people["Chị Hoa"]
    text = (await d.say(officer, d.private(officer), "/tonghop 22/11"))[0]
    assert text.startswith("📋 Tổng hợp Xã Hương Sơn – ngày 22/11/2026")
    assert "Đã báo cáo: 0/2 thôn (0%)" in text.splitlines()
    assert await d.say(hoa, d.private(hoa), "/tonghop") == [
        "Lệnh /tonghop chỉ dành cho: quản trị, cán bộ, giám sát."
    ]


async def _cli(*args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@embedded_only("a CLI command refuses while the running bot holds data_dir's lock")
async def test_the_cli_prints_the_digest_and_refuses_while_the_bot_runs(tg_world: World) -> None:
    """`python -m bot digest --area R1 --date 2026-11-23`: the same text, once the bot stopped."""
    await _team(tg_world)
    config = str(tg_world.folder / "config.yaml")
    args = ("--config", config, "--area", "R1", "--date", "2026-11-23")
    code, out, err = await _cli(*args)
    assert code == 1 and "in use" in err and out == ""
    await tg_world.bot.stop()
    code, out, err = await _cli(*args)
    assert code == 0, err
    assert out.startswith("📋 Tổng hợp Trung tâm Y tế khu vực Hồng Lĩnh – ngày 23/11/2026")
    assert "Đã báo cáo: 1/2 thôn (50%)" in out.splitlines()
    code, out, _ = await _cli(*args, "--lang", "en")
    assert code == 0 and "Reported: 1/2 villages (50%)" in out.splitlines()
