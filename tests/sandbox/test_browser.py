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

CHROMIUM = Path("/usr/bin/chromium")
# Chromium on a machine with no way out: no first-run UI, no background calls to Google.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

try:
    from playwright.async_api import Dialog, async_playwright, expect
except ImportError:  # pragma: no cover - only without the test extras
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)
if not CHROMIUM.exists() and not os.environ.get("CI"):  # pragma: no cover - machine-dependent
    pytest.skip(
        "Debian's chromium is missing at /usr/bin/chromium: apt-get install chromium",
        allow_module_level=True,
    )

from tests.sandbox.trainee import (  # noqa: E402 (after the skips: it needs playwright)
    PHONE,
    REPLY_MS,
    Trainee,
    cast,
    free_village,
    keep_screenshots,
    pattern,
    words,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
# Where a person wants the pictures to look at them (the test's own folder otherwise).
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


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


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_a_trainee_plays_the_whole_district_in_a_phone_browser(
    bot: Bot, tmp_path: Path
) -> None:
    """On a 412-px phone: agree to the notice, register by choosing commune then village, and
    be approved; report; the page's English switch changes the bot's replies; the form asks
    again only what a broken rule names, and a keypad of a form that has ended says so; the
    Zalo composer keeps to 2,000 characters; a directive acknowledged by button and by typing;
    the digest's chart and spreadsheet; reset. Each step seen in Chromium and screenshotted."""
    people = cast(bot.state)
    officer, a, b = people["officer"], people["a"], people["b"]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True,
            locale="vi-VN", device_scale_factor=1,
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

        # 1. A newcomer agrees to the notice, registers by choosing commune then village; the
        # commune's officer approves.
        await me.be(people["newcomer"], app="telegram", where="private")
        await expect(page.get_by_test_id("where-group")).to_be_disabled()
        await me.say("<b>Xin chào</b>")  # shown as typed: text is never parsed as HTML
        await expect(page.get_by_test_id("messages").locator("b")).to_have_count(0)
        # The privacy notice first: nothing they send is stored before they agree.
        await me.say("/batdau")
        agree = page.get_by_test_id("message-button").filter(has_text=words("consent.button"))
        await agree.last.click()
        await me.text_of(words("consent.thanks"))
        await me.shot("newcomer-agrees")
        await me.say("/dangky")
        await me.choose(officer["commune"])
        await me.choose(free_village(officer["commune"], bot.state))
        filed = await me.text_of(words("register.filed"))
        number = re.search(r"#(\d+)", filed)
        assert number, filed
        await me.shot("registration", show=me.bot_says(words("register.filed")))
        await me.be(officer, app="telegram", where="private")
        await expect(me.bot_says(f"#{number[1]}")).to_be_visible(timeout=REPLY_MS)
        await me.say(f"/duyet {number[1]}")
        await me.text_of(words("approve.done", n=number[1]))
        await me.shot("officer-approves")
        await me.be(people["newcomer"], app="telegram", where="private")
        await me.text_of(words("register.approved"))
        state = await (await page.request.get(bot.base + "/sandbox/api/state")).json()
        approved = next(p for p in state["personas"] if p["id"] == people["newcomer"]["id"])
        assert approved["role"] == "collaborator" and approved["has_group"], approved

        # 2. A collaborator reports in the commune's Telegram group and reads the echo.
        await me.be(a, app="telegram", where="group")
        await me.say("/bc sinh 2, chet 1")
        echo = await me.text_of(words("report.saved"))
        assert "Sinh: 2" in echo and "Chết: 1" in echo, echo
        await me.shot("collaborator-reports")

        # 3. The English switch: the page and what the bot answers this person.
        await me.be(a, app="telegram", where="private")
        await page.get_by_test_id("lang").click()
        await expect(page.get_by_test_id("reset")).to_have_text("Reset")
        await me.say("/khongco")
        await me.text_of(words("unknown.command", lang="en", command="khongco"))
        await me.shot("english-switch")
        await page.get_by_test_id("lang").click()
        await me.say("/khongco")
        await me.text_of(words("unknown.command", command="khongco"))

        # 4. The form: births 2, boys 1, girls 0 breaks "boys + girls = births"; the bot says
        # so at once and asks again only boys and girls. Left with /huy, its keypad says so.
        await me.be(people["c"], app="telegram", where="private")
        await me.say("/baocao")
        for answer in ("2", "1", "0"):
            await me.key_in(answer)
        rule = "Số sinh con trai cộng số sinh con gái phải bằng số sinh"  # config.yaml's words
        await expect(me.bot_says(rule)).to_be_visible(timeout=REPLY_MS)
        await me.shot("form-recovers-from-broken-rule", show=me.keypad())
        stale = me.keypad()
        await me.say("/huy")
        await me.text_of(words("cancel.done"))
        await stale.get_by_test_id("message-button").filter(has_text=re.compile("^1$")).click()
        ended = page.get_by_test_id("toast").filter(has_text=words("report.form_ended"))
        await expect(ended).to_be_visible(timeout=REPLY_MS)
        await me.shot("stale-keypad")

        # 5. Another collaborator changes phones to Zalo; its composer keeps to 2,000
        # characters as the bot counts them (an emoji is two).
        await me.be(b, app="zalo", where="private")
        await expect(page.get_by_test_id("where-group")).to_be_disabled()
        await expect(page.get_by_test_id("counter")).to_contain_text("/2000")
        box = page.get_by_test_id("input")
        await box.fill("😀" * 1000 + "a")
        await expect(page.get_by_test_id("counter")).to_contain_text("2001/2000")
        await expect(page.get_by_test_id("send")).to_be_disabled()
        await box.press("Enter")
        await expect(page.get_by_test_id("toast").last).to_contain_text("2000")
        await expect(box).not_to_have_value("")  # kept, to shorten
        await expect(page.get_by_test_id("message")).to_have_count(0)
        await me.shot("zalo-composer-limit")
        await box.fill("")

        # 6. The officer sends a directive and confirms it with the button.
        due = date.today() + timedelta(days=7)
        await me.be(officer, app="telegram", where="private")
        await me.say(f"/chithi all: Họp giao ban dân số lúc 8:00 thứ Hai. han {due:%d/%m}")
        preview = me.bot_says(words("directive.preview_header"))
        await expect(preview).to_be_visible(timeout=REPLY_MS)
        await me.shot("officer-previews-directive")
        send = words("directive.confirm_button").lstrip("✅ ")
        await preview.get_by_test_id("message-button").filter(has_text=send).click()
        queued = await me.text_of(words("directive.queued"))
        directive = re.search(r"(\d+)", queued)
        assert directive, queued
        n = directive[1]
        await me.shot("officer-confirms-directive")

        # 7. A collaborator in the Telegram group taps the directive (to reply), then its button.
        await me.be(a, app="telegram", where="group")
        # The directive itself ("📢 Thông báo số 1", not "số 12"), not talk about it.
        heading = re.compile(rf"{re.escape(words('directive.message', number=n))}(?!\d)")
        posted = me.bot_says(heading)
        await expect(posted).to_be_visible(timeout=REPLY_MS)
        await posted.get_by_test_id("message-text").click()
        await expect(page.get_by_test_id("reply-bar")).to_be_visible()
        await page.get_by_test_id("reply-cancel").click()
        await expect(page.get_by_test_id("reply-bar")).to_be_hidden()
        ack = words("directive.ack_button").lstrip("✅ ")
        await posted.get_by_test_id("message-button").filter(has_text=ack).click()
        await expect(page.get_by_test_id("toast").last).to_contain_text(
            words("ack.button_done", number=n)
        )
        ack_button = me.bot_says(heading).get_by_test_id("message-button").first
        await expect(ack_button).to_contain_text("(1/")  # the group's copy counts the acks
        await me.shot("collaborator-acks-by-button")

        # 8. The collaborator on Zalo got it privately, with no buttons, and types `ok n`.
        await me.be(b, app="zalo", where="private")
        received = me.bot_says(heading)
        await expect(received).to_be_visible(timeout=REPLY_MS)
        await expect(received.get_by_test_id("message-button")).to_have_count(0)
        await me.say(f"ok {n}")
        await me.text_of(pattern("ack.done", number=n))
        await me.shot("collaborator-acks-on-zalo")

        # 9. The officer sees two acknowledgements.
        await me.be(officer, app="telegram", where="private")
        await me.say(f"/tinhtrang {n}")
        status = await me.text_of(words("status.header", number=n))
        assert pattern("status.totals", acked=2).search(status), status
        await me.shot("officer-reads-status")

        # 10. The supervisor asks for the digest: its chart loads and its spreadsheet downloads.
        await me.be(people["supervisor"], app="telegram", where="private")
        await me.say("/tonghop")
        await me.text_of(words("digest.title"))
        image = page.get_by_test_id("message-image").last
        await expect(image).to_be_visible(timeout=REPLY_MS)
        await page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=await image.element_handle(), timeout=REPLY_MS,
        )  # fmt: skip
        sheet = page.get_by_test_id("message-file").filter(has_text=".xlsx").last
        await expect(sheet).to_be_visible(timeout=REPLY_MS)
        await me.shot("digest-chart", show=image)
        async with page.expect_download() as download_info:
            await sheet.click()
        download = await download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        assert (await download.path()).read_bytes()[:2] == b"PK"  # an xlsx is a zip file
        chart = await page.request.get(await image.evaluate("img => img.src"))
        assert chart.ok and chart.headers["content-type"].startswith("image/")

        # 11. Reset restores the demo data: an empty chat, the newcomer new again, and every
        # open page (here a second tab, the officer's) starts over too.
        other = Trainee(await context.new_page(), shots)
        await other.page.goto(bot.base + "/")
        await other.be(officer, app="telegram", where="private")
        await expect(other.bot_says(words("status.header", number=n))).to_be_visible()
        await page.get_by_test_id("reset").click()
        await expect(other.page.get_by_test_id("message")).to_have_count(0, timeout=REPLY_MS)
        await expect(page.get_by_test_id("message")).to_have_count(0, timeout=REPLY_MS)
        await expect(page.get_by_test_id("empty")).to_be_visible()
        await expect(page.get_by_test_id("status")).to_have_attribute("data-state", "live")
        await me.shot("reset")
        state = await (await page.request.get(bot.base + "/sandbox/api/state")).json()
        newcomer = next(p for p in state["personas"] if p["id"] == people["newcomer"]["id"])
        assert newcomer["role"] == ""

        await context.close()
        await browser.close()

    if SCREENSHOT_DIR:
        keep_screenshots(me.taken, SCREENSHOT_DIR)
    assert not errors, errors
    assert not outside, f"the page loaded from outside the bot: {outside}"
    steps = [
        "newcomer-agrees", "registration", "officer-approves", "collaborator-reports",
        "english-switch", "form-recovers-from-broken-rule", "stale-keypad",
        "zalo-composer-limit", "officer-previews-directive", "officer-confirms-directive",
        "collaborator-acks-by-button", "collaborator-acks-on-zalo", "officer-reads-status",
        "digest-chart", "reset",
    ]  # fmt: skip
    expected = [shots / f"{k:02d}-{step}.png" for k, step in enumerate(steps, start=1)]
    assert me.taken == expected
    assert all(p.stat().st_size > 0 for p in expected)
