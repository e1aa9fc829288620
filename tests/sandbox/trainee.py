"""A trainee in front of the sandbox page (tests/sandbox/test_browser.py): one browser tab that
picks a person, an app and a chat, types, taps buttons, and takes a screenshot of each step.
What the bot says is looked up in its own catalogs, so the test follows the wording the bot
has, not a copy of it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from playwright.async_api import Locator, Page, expect

from bot.config.loading import load_config
from bot.core.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
REPLY_MS = 15_000  # the first digest draws a chart with matplotlib: allow for a cold import
PHONE = {"width": 412, "height": 915}  # a common Android phone, in CSS pixels


@cache
def _translator() -> tuple[Translator, str]:
    config = load_config(ROOT / "config.yaml", environ={})
    headings = config.directives.heading.by_language()
    return Translator(config.language, headings=headings), config.language


def words(key: str, /, lang: str = "vi", **params: object) -> str:
    """The start of what the bot says for `key` (up to its first line break or a parameter not
    given): a marker to find that message by."""
    translate, _ = _translator()
    text = translate(lang, key, **params)
    return re.split(r"\n|\{[A-Za-z_]+\}", text, maxsplit=1)[0].strip()


def pattern(key: str, /, lang: str = "vi", **params: object) -> re.Pattern[str]:
    """The first line of what the bot says for `key`, as a pattern: the parameters given are
    matched as they are, the others as anything."""
    translate, _ = _translator()
    line = translate(lang, key).split("\n", 1)[0]
    parts = re.split(r"\{([A-Za-z_]+)\}", line)
    return re.compile("".join(
        re.escape(part) if i % 2 == 0
        else re.escape(str(params[part])) if part in params else ".*?"
        for i, part in enumerate(parts)
    ))  # fmt: skip


def bot_messages(page: Page) -> Locator:
    return page.locator('[data-testid="message"][data-from-bot="1"]')


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

    def bot_says(self, pattern: str | re.Pattern[str]) -> Locator:
        """The newest bot message whose text matches."""
        return bot_messages(self.page).filter(has_text=pattern).last

    async def text_of(self, pattern: str | re.Pattern[str]) -> str:
        message = self.bot_says(pattern)
        await expect(message).to_be_visible(timeout=REPLY_MS)
        return await message.get_by_test_id("message-text").inner_text()

    async def choose(self, name: str) -> None:
        """Tap the number the bot's newest list gives `name` ("3. Xã Can Lộc" → button 3)."""
        listed = self.bot_says(re.compile(rf"\d+\. {re.escape(name)}(\n| –|$)"))
        await expect(listed).to_be_visible(timeout=REPLY_MS)
        text = await listed.get_by_test_id("message-text").inner_text()
        found = re.search(rf"(\d+)\. {re.escape(name)}(\n| –|$)", text, re.MULTILINE)
        assert found, text
        buttons = listed.get_by_test_id("message-button")
        await buttons.filter(has_text=re.compile(rf"^{found[1]}$")).click()

    def keypad(self) -> Locator:
        """The newest bot message that carries buttons (the form's current question)."""
        return bot_messages(self.page).filter(has=self.page.get_by_test_id("message-buttons")).last

    async def key_in(self, number: str) -> None:
        """Answer the form's question on its keypad: the digits, then ✔ OK; wait for the next."""
        keypad = self.keypad()
        await expect(keypad).to_be_visible(timeout=REPLY_MS)
        asked = await keypad.get_attribute("data-id")
        for digit in number:  # the bot takes one chat's presses in order
            key = re.compile(rf"^{digit}$")
            await self.keypad().get_by_test_id("message-button").filter(has_text=key).click()
        await self.keypad().get_by_test_id("message-button").filter(has_text="OK").click()
        await expect(self.keypad()).not_to_have_attribute("data-id", asked or "", timeout=REPLY_MS)

    async def shot(self, step: str, *, show: Locator | None = None) -> None:
        """A screenshot of the phone's screen; `show` is scrolled into view first."""
        if show is not None:
            await show.scroll_into_view_if_needed()
        path = self.shots / f"{len(self.taken) + 1:02d}-{step}.png"
        await self.page.screenshot(path=path)
        self.taken.append(path)


def keep_screenshots(paths: list[Path], folder: str) -> None:
    """Copy the screenshots where the caller asked ($SCREENSHOT_DIR), to be looked at."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy2(path, target / path.name)


def cast(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cast: a commune with a group, its officer and two Telegram collaborators, a
    Telegram collaborator of another commune (who fills the form: a person sending more than
    `intake.burst` messages in a few seconds is asked to slow down), the supervisor and a
    newcomer."""
    personas = state["personas"]
    collab = [p for p in personas if p["role"] == "collaborator" and p["has_group"]]
    commune = collab[0]["commune"]
    in_commune = [p for p in collab if p["commune"] == commune and p["app"] == "telegram"]
    elsewhere = next(p for p in collab if p["commune"] != commune and p["app"] == "telegram")
    officer = next(p for p in personas if p["role"] == "officer" and p["commune"] == commune)
    supervisor = next(p for p in personas if p["role"] == "supervisor")
    newcomer = next(p for p in personas if p["role"] == "")
    return {
        "officer": officer, "a": in_commune[0], "b": in_commune[1], "c": elsewhere,
        "supervisor": supervisor, "newcomer": newcomer,
    }  # fmt: skip


def free_village(commune_name: str, state: dict[str, Any]) -> str:
    """The name of a village of that commune that no demo person covers yet."""
    tree = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["areas"]
    taken = {p["area"] for p in state["personas"]}

    def walk(node: dict[str, Any]) -> str | None:
        if node.get("name") == commune_name:
            free = [v for v in node.get("children", []) if v["name"] not in taken]
            return str(free[0]["name"])
        for child in node.get("children", []):
            if (found := walk(child)) is not None:
                return found
        return None

    name = walk(tree)
    assert name, commune_name
    return name
