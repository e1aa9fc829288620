"""The sandbox page in a real headless Chromium: a trainee plays each role of the demo district."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
# Chromium on a machine with no way out: no first-run UI, no background calls to Google.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

try:
    from playwright.async_api import Dialog, Page, async_playwright, expect
except ImportError:  # pragma: no cover - only without the test extras
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)
if not CHROMIUM.exists() and not os.environ.get("CI"):  # pragma: no cover - machine-dependent
    pytest.skip(
        "Debian's chromium is missing at /usr/bin/chromium: apt-get install chromium",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parents[2]
REPLY_MS = 15_000  # the first digest draws a chart with matplotlib: allow for a cold import
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Bot:
    """The bot started the way a newcomer starts it: the README's run command, no token."""

    base: str
    log: Path
    state: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """`python -m bot run` with the shipped config.yaml, no platform token, a free port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    env |= {
        "BOT_WEB_PORT": str(port), "BOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            page = ""
            for _ in range(300):  # bounded: about 30 s for the first start
                assert proc.returncode is None, f"the bot exited early:\n{log.read_text()}"
                try:
                    async with http.get(f"{base}/") as resp:
                        page = await resp.text()
                        if resp.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
            assert 'data-testid="app"' in page, f"no sandbox page at {base}/:\n{log.read_text()}"
            async with http.get(f"{base}/sandbox/api/state") as resp:
                state = await resp.json()
        yield Bot(base, log, state)
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, f"the bot did not stop cleanly:\n{log.read_text()}"


@dataclass
class Trainee:
    """One browser tab: picks who they are, which app and which chat, types and clicks."""

    page: Page
    shots: Path
    taken: list[Path] = field(default_factory=list)

    async def be(self, persona: dict[str, Any], *, app: str, where: str) -> None:
        page = self.page
        await page.get_by_test_id("persona").select_option(persona["id"])
        await page.get_by_test_id(f"app-{app}").click()
        await page.get_by_test_id(f"where-{where}").click()
        await expect(page.get_by_test_id(f"app-{app}")).to_have_attribute("aria-pressed", "true")
        await expect(page.get_by_test_id(f"where-{where}")).to_have_attribute(
            "aria-pressed", "true"
        )
        await expect(page.get_by_test_id("status")).to_have_attribute("data-state", "live")

    async def say(self, text: str) -> None:
        box = self.page.get_by_test_id("input")
        await box.fill(text)
        await box.press("Enter")
        await expect(box).to_have_value("")
        mine = self.page.locator('[data-testid="message"][data-from-bot="0"]')
        await expect(mine.last.get_by_test_id("message-text")).to_have_text(text.strip())

    def bot_says(self, pattern: str | re.Pattern[str]) -> Any:
        """The newest bot message whose text matches."""
        found = self.page.locator('[data-testid="message"][data-from-bot="1"]').filter(
            has_text=pattern
        )
        return found.last

    async def text_of(self, pattern: str | re.Pattern[str]) -> str:
        message = self.bot_says(pattern)
        await expect(message).to_be_visible(timeout=REPLY_MS)
        return await message.get_by_test_id("message-text").inner_text()

    async def shot(self, step: str) -> None:
        path = self.shots / f"{len(self.taken) + 1:02d}-{step}.png"
        await self.page.screenshot(path=path)
        self.taken.append(path)


def _people(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cast: a commune with a group, its officer and two Telegram collaborators, the
    supervisor and a newcomer."""
    personas = state["personas"]
    collab = [p for p in personas if p["role"] == "collaborator" and p["has_group"]]
    commune = collab[0]["commune"]
    in_commune = [p for p in collab if p["commune"] == commune and p["app"] == "telegram"]
    officer = next(p for p in personas if p["role"] == "officer" and p["commune"] == commune)
    supervisor = next(p for p in personas if p["role"] == "supervisor")
    newcomer = next(p for p in personas if p["role"] == "")
    return {
        "officer": officer, "a": in_commune[0], "b": in_commune[1],
        "supervisor": supervisor, "newcomer": newcomer,
    }  # fmt: skip


def _free_village(commune_name: str, state: dict[str, Any]) -> str:
    """A village code of that commune that no demo person covers yet (codes are unique)."""
    tree = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["areas"]
    taken = {p["area"] for p in state["personas"]}

    def walk(node: dict[str, Any]) -> str | None:
        if node.get("name") == commune_name:
            free = [v for v in node.get("children", []) if v["name"] not in taken]
            return str(free[-1]["code"])
        for child in node.get("children", []):
            if (found := walk(child)) is not None:
                return found
        return None

    code = walk(tree)
    assert code, commune_name
    return code


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_a_trainee_plays_the_whole_district_in_a_phone_browser(
    bot: Bot, tmp_path: Path
) -> None:
    """Agree to the notice, register and approve, report, a directive acknowledged by button and
    by typing, the digest's chart and spreadsheet, then reset: each step seen in Chromium and
    screenshotted."""
    cast = _people(bot.state)
    officer, a, b = cast["officer"], cast["a"], cast["b"]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True,
            accept_downloads=True, locale="vi-VN",
        )  # fmt: skip
        page = await context.new_page()
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(bot.base) else outside.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", _accept)
        me = Trainee(page, shots)
        await page.goto(bot.base + "/")
        await expect(page.get_by_test_id("district")).to_have_text(bot.state["district"])
        await expect(page.get_by_test_id("status")).to_have_attribute("data-state", "live")

        # The page speaks Vietnamese, switches to English and back.
        await expect(page.get_by_test_id("reset")).to_have_text("Làm lại")
        await page.get_by_test_id("lang").click()
        await expect(page.get_by_test_id("reset")).to_have_text("Reset")
        await page.get_by_test_id("lang").click()
        await expect(page.get_by_test_id("reset")).to_have_text("Làm lại")

        # 1. A newcomer registers for a village; the commune's officer approves.
        village = _free_village(officer["commune"], bot.state)
        await me.be(cast["newcomer"], app="telegram", where="private")
        await expect(page.get_by_test_id("where-group")).to_be_disabled()
        await me.say("<b>Xin chào</b>")  # shown as typed: text is never parsed as HTML
        await expect(page.get_by_test_id("messages").locator("b")).to_have_count(0)
        # The privacy notice first: nothing they send is stored before they agree.
        await me.say("/batdau")
        notice = me.bot_says("Tôi lưu tên")
        await notice.get_by_test_id("message-button").filter(has_text="Tôi đồng ý").click()
        await me.text_of("Cảm ơn bạn đã đồng ý")
        await me.shot("newcomer-agrees")
        await me.say(f"/dangky {village}")
        filed = await me.text_of("Đã gửi đăng ký #")
        number = re.search(r"#(\d+)", filed)
        assert number, filed
        await me.shot("newcomer-registers")
        await me.be(officer, app="telegram", where="private")
        await expect(me.bot_says("đăng ký làm cộng tác viên")).to_be_visible(timeout=REPLY_MS)
        await me.say(f"/duyet {number[1]}")
        await me.text_of(f"Đã duyệt #{number[1]}")
        await me.shot("officer-approves")
        await me.be(cast["newcomer"], app="telegram", where="private")
        await me.text_of("Đăng ký của bạn đã được duyệt")
        await me.shot("newcomer-approved")
        state = await (await page.request.get(bot.base + "/sandbox/api/state")).json()
        approved = next(p for p in state["personas"] if p["id"] == cast["newcomer"]["id"])
        assert approved["role"] == "collaborator" and approved["has_group"], approved

        # 2. A collaborator reports in the commune's Telegram group and reads the echo.
        await me.be(a, app="telegram", where="group")
        await me.say("/bc sinh 2, chet 1")
        echo = await me.text_of("Đã lưu báo cáo")
        assert "Sinh: 2" in echo and "Chết: 1" in echo, echo
        await me.shot("collaborator-reports")

        # 3. Another collaborator changes phones to Zalo before any directive goes out.
        await me.be(b, app="zalo", where="private")
        await expect(page.get_by_test_id("where-group")).to_be_disabled()
        await expect(page.get_by_test_id("counter")).to_contain_text("/2000")
        await me.shot("collaborator-switches-to-zalo")

        # 4. The officer sends a directive and confirms it with the button.
        due = date.today() + timedelta(days=7)
        await me.be(officer, app="telegram", where="private")
        await me.say(f"/chithi all: Họp giao ban dân số lúc 8:00 thứ Hai. han {due:%d/%m}")
        preview = me.bot_says("Xem trước thông báo")
        await expect(preview).to_be_visible(timeout=REPLY_MS)
        await me.shot("officer-previews-directive")
        await preview.get_by_test_id("message-button").filter(has_text="Gửi").click()
        queued = await me.text_of("Đã xếp gửi thông báo số")
        directive = re.search(r"thông báo số (\d+)", queued)
        assert directive, queued
        n = directive[1]
        await me.shot("officer-confirms-directive")

        # 5. A collaborator in the Telegram group taps the directive (to reply), then its button.
        await me.be(a, app="telegram", where="group")
        heading = re.compile(rf"📢 Thông báo số {n}\b")  # the directive itself, not talk about it
        posted = me.bot_says(heading)
        await expect(posted).to_be_visible(timeout=REPLY_MS)
        await posted.get_by_test_id("message-text").click()
        await expect(page.get_by_test_id("reply-bar")).to_be_visible()
        await page.get_by_test_id("reply-cancel").click()
        await expect(page.get_by_test_id("reply-bar")).to_be_hidden()
        await posted.get_by_test_id("message-button").filter(has_text="Đã nhận").click()
        await expect(page.get_by_test_id("toast").last).to_contain_text(f"thông báo số {n}")
        ack_button = me.bot_says(heading).get_by_test_id("message-button").first
        await expect(ack_button).to_contain_text("(1/")  # the group's copy counts the acks
        await me.shot("collaborator-acks-by-button")

        # 6. The collaborator on Zalo got it privately, with no buttons, and types `ok n`.
        await me.be(b, app="zalo", where="private")
        received = me.bot_says(heading)
        await expect(received).to_be_visible(timeout=REPLY_MS)
        await expect(received.get_by_test_id("message-button")).to_have_count(0)
        await me.say(f"ok {n}")
        await me.text_of(f"đã nhận thông báo số {n}")
        await me.shot("collaborator-acks-on-zalo")

        # 7. The officer sees two acknowledgements.
        await me.be(officer, app="telegram", where="private")
        await me.say(f"/tinhtrang {n}")
        status = await me.text_of(f"Thông báo số {n}, gửi")
        assert "Đã nhận 2/" in status, status
        await me.shot("officer-reads-status")

        # 8. The supervisor asks for the digest: its chart loads and its spreadsheet downloads.
        await me.be(cast["supervisor"], app="telegram", where="private")
        await me.say("/tonghop")
        await me.text_of("Tổng hợp")
        image = page.get_by_test_id("message-image").last
        await expect(image).to_be_visible(timeout=REPLY_MS)
        await page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=await image.element_handle(), timeout=REPLY_MS,
        )  # fmt: skip
        sheet = page.get_by_test_id("message-file").filter(has_text=".xlsx").last
        await expect(sheet).to_be_visible(timeout=REPLY_MS)
        await sheet.scroll_into_view_if_needed()
        await me.shot("supervisor-digest")
        async with page.expect_download() as download_info:
            await sheet.click()
        download = await download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        assert (await download.path()).read_bytes()[:2] == b"PK"  # an xlsx is a zip file
        chart = await page.request.get(await image.evaluate("img => img.src"))
        assert chart.ok and chart.headers["content-type"].startswith("image/")

        # 9. Reset restores the demo data: an empty chat, the newcomer new again, and every
        # open page (here a second tab, the officer's) starts over too.
        other = Trainee(await context.new_page(), shots)
        await other.page.goto(bot.base + "/")
        await other.be(officer, app="telegram", where="private")
        await expect(other.bot_says(f"Thông báo số {n}, gửi")).to_be_visible()
        await page.get_by_test_id("reset").click()
        await expect(other.page.get_by_test_id("message")).to_have_count(0, timeout=REPLY_MS)
        await expect(page.get_by_test_id("message")).to_have_count(0, timeout=REPLY_MS)
        await expect(page.get_by_test_id("empty")).to_be_visible()
        await expect(page.get_by_test_id("status")).to_have_attribute("data-state", "live")
        await me.shot("reset")
        state = await (await page.request.get(bot.base + "/sandbox/api/state")).json()
        newcomer = next(p for p in state["personas"] if p["id"] == cast["newcomer"]["id"])
        assert newcomer["role"] == ""

        await context.close()
        await browser.close()

    assert not errors, errors
    assert not outside, f"the page loaded from outside the bot: {outside}"
    steps = [
        "newcomer-agrees", "newcomer-registers", "officer-approves", "newcomer-approved",
        "collaborator-reports",
        "collaborator-switches-to-zalo", "officer-previews-directive",
        "officer-confirms-directive", "collaborator-acks-by-button",
        "collaborator-acks-on-zalo", "officer-reads-status", "supervisor-digest", "reset",
    ]  # fmt: skip
    expected = [shots / f"{k:02d}-{step}.png" for k, step in enumerate(steps, start=1)]
    assert me.taken == expected
    assert all(p.stat().st_size > 0 for p in expected)
