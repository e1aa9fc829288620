"""A bot against the fake APIs, and platform-neutral drivers that type and read like people."""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.app.runtime import App
from bot.config.loading import Config, load_config
from bot.core.clock import Clock
from tests.fakes.loopback import poll_pauses
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support import store_choice
from tests.support.bot_process import BotProcess as BotProcess  # where the tests look for it

TG_TOKEN = "5123456789:AAFakeTelegramTokenForTests_abcdefghij"
ZALO_TOKEN = "8877665544332211:zaloSecretTokenForTestsOnlyXYZ123"
ZALO_BOT = "zalo1"
NO_CHAT_LIMITS = {"per_minute_per_group": None, "per_second_per_chat": None}

# A small tree of the 2025 shape: province → health region → communes → villages.
AREAS: dict[str, Any] = {
    "code": "42",
    "name": "Tỉnh Hà Tĩnh",
    "kind": "province",
    "children": [
        {
            "code": "R1",
            "name": "Trung tâm Y tế khu vực Hồng Lĩnh",
            "kind": "region",
            "children": [
                {
                    "code": "18115",
                    "name": "Phường Bắc Hồng Lĩnh",
                    "kind": "commune",
                    "children": [
                        {"code": "18115-01", "name": "Tổ dân phố Trung Lương", "kind": "village"},
                        {"code": "18115-02", "name": "Tổ dân phố Đức Thuận", "kind": "village"},
                    ],
                },
                {
                    "code": "18133",
                    "name": "Xã Hương Sơn",
                    "kind": "commune",
                    "children": [
                        {"code": "18133-01", "name": "Thôn Sơn Ninh", "kind": "village"},
                        {"code": "18133-02", "name": "Thôn Sơn Trung", "kind": "village"},
                    ],
                },
            ],
        }
    ],
}


# libyaml when PyYAML has it: a config is written for nearly every test.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_yaml(path: Path) -> Any:
    """A YAML file (a config the tests wrote or ship), parsed."""
    return yaml.load(path.read_text("utf-8"), Loader=_Loader)


def write_yaml(path: Path, doc: Any) -> None:
    """Write `doc` as YAML, in the order given, Vietnamese left readable."""
    text = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


@functools.cache
def _shipped_report_types_once() -> dict[str, Any]:
    shipped = read_yaml(Path(__file__).resolve().parents[2] / "config.yaml")
    return {k: shipped[k] for k in ("report_types", "default_report_type") if k in shipped}


def _shipped_report_types() -> dict[str, Any]:
    """The report types of the shipped config.yaml, so tests use what districts get (read
    once per test process; each caller gets its own copy)."""
    return copy.deepcopy(_shipped_report_types_once())


def write_config(
    folder: Path,
    *,
    admins: list[str],
    telegram_url: str | None = None,
    zalo_url: str | None = None,
    mode: str = "polling",
    public_base_url: str | None = None,
    extra: dict[str, Any] | None = None,
    zalo_bot: dict[str, Any] | None = None,
) -> Path:
    """A config file for tests: the small tree, the fakes as API servers, data under `folder`."""
    extra = dict(extra or {})
    # Scenarios' people are taken as having agreed to the privacy notice and as knowing that a
    # bot talks to them (else each first private reply opens with it); the consent and
    # introduction tests put these back (extra={"privacy": {...}}, merged key by key).
    privacy = {"consent_required": False, "tell_automated": False, **extra.pop("privacy", {})}
    # Scenarios run on days written before public holidays counted (24/11/2026, the first
    # Vietnam Culture Day, is one): no days off unless a test asks for them
    # (extra={"holidays": {"country": "VN"}}, merged key by key).
    holidays = {"country": "", **extra.pop("holidays", {})}
    doc: dict[str, Any] = {
        "timezone": "Asia/Ho_Chi_Minh",
        "language": "vi",
        "data_dir": str(folder / "data"),
        "web": {"host": "127.0.0.1", "port": 0, "public_base_url": public_base_url},
        "areas": AREAS,
        "admins": admins,
        "platforms": {
            "telegram": {
                "enabled": telegram_url is not None,
                "mode": mode,
                "api_base_url": telegram_url or "https://api.telegram.org",
            },
            "zalo": {
                "enabled": zalo_url is not None,
                "mode": mode,
                "api_base_url": zalo_url or "https://bot-api.zaloplatforms.com",
                "bots": [{"name": ZALO_BOT, **(zalo_bot or {})}],
            },
        },
        "logging": {"level": "DEBUG", "format": "json"},
        # Per-chat spacing (1 s, 3 s in groups) is real but would make every conversation test
        # slow; the delivery tests put the platforms' real limits back.
        "delivery": {"telegram": NO_CHAT_LIMITS, "zalo": NO_CHAT_LIMITS},
        # Scenarios type faster than a person; the intake tests put the real limit back.
        "intake": {"per_person_per_minute": 6000, "burst": 1000, "max_waiting_per_chat": 1000},
        "privacy": privacy,
        "holidays": holidays,
        **_shipped_report_types(),
        # The embedded default, or PostgreSQL under BOT_TEST_STORE=postgres (store_choice.py).
        **({"store": section} if (section := store_choice.config_section()) else {}),
        **extra,
    }
    path = folder / "config.yaml"
    write_yaml(path, doc)
    return path


def bot_environ(*, webhook_secret: str = "") -> dict[str, str]:
    """The environment the bot reads its secrets from."""
    env = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, f"ZALO_BOT_TOKEN_{ZALO_BOT.upper()}": ZALO_TOKEN}
    env.update(store_choice.environ())  # DATABASE_URL of the test's own database, on PostgreSQL
    if webhook_secret:
        env["TELEGRAM_WEBHOOK_SECRET"] = webhook_secret
        env[f"ZALO_WEBHOOK_SECRET_{ZALO_BOT.upper()}"] = webhook_secret
    return env


async def eventually(check: Callable[[], bool], *, timeout: float = 5.0, what: str = "") -> None:
    """Poll `check` (bounded) until it holds; fail with `what` otherwise."""
    loop = asyncio.get_running_loop()
    deadline, pauses = loop.time() + timeout, poll_pauses()
    while not check():
        if loop.time() > deadline:
            msg = f"timed out waiting for {what or check}"
            raise AssertionError(msg)
        await asyncio.sleep(next(pauses))


class RunningBot:
    """The bot's App in this event loop, restartable on the same data directory."""

    def __init__(self, config_path: Path, environ: dict[str, str], clock: Clock | None) -> None:
        self.config_path = config_path
        self.environ = environ
        self.clock = clock
        self.app: App | None = None

    @property
    def config(self) -> Config:
        return load_config(self.config_path, environ=self.environ)

    async def start(self) -> App:
        self.app = App(self.config, clock=self.clock)
        await self.app.start()
        return self.app

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    @property
    def handled(self) -> int:
        assert self.app is not None and self.app.inbound is not None
        return self.app.inbound.handled + self.app.inbound.duplicates


@dataclass(frozen=True)
class Person:
    """A person in a test: their handle on the fake and their account key for config."""

    name: str
    handle: Any
    key: str


class Driver(Protocol):
    """What a platform-neutral scenario needs from a platform's fake."""

    platform: str

    def person(self, name: str) -> Person: ...

    def private(self, person: Person) -> Any: ...

    async def say(self, person: Person, chat: Any, text: str, **kw: Any) -> list[str]: ...

    def texts(self, chat: Any) -> list[str]: ...


class _Driver:
    """What both platform drivers share: reading the bot's texts and waiting for it."""

    fake: Any
    bot: RunningBot

    def private(self, person: Person) -> Any:
        return self.fake.private(person.handle)

    def texts(self, chat: Any) -> list[str]:
        return [m.text for m in self.fake.sent(chat)]

    async def type(self, person: Person, chat: Any, text: str, **kw: Any) -> None:
        raise NotImplementedError

    async def say(self, person: Person, chat: Any, text: str, **kw: Any) -> list[str]:
        """Type as `person`, wait until the bot handled it; return its new messages here."""
        before, handled = len(self.texts(chat)), self.bot.handled
        await self.type(person, chat, text, **kw)
        await eventually(lambda: self.bot.handled > handled, what=f"bot to handle {text!r}")
        return self.texts(chat)[before:]


class TelegramDriver(_Driver):
    """Types into the fake Telegram and reads the bot's answers."""

    platform = "telegram"

    def __init__(self, fake: FakeTelegram, bot: RunningBot) -> None:
        self.fake = fake
        self.bot = bot
        self._ids = itertools.count(100001)

    def person(self, name: str) -> Person:
        user = self.fake.user(next(self._ids), name)
        return Person(name, user, f"telegram:{user.id}")

    async def type(self, person: Person, chat: Any, text: str, **kw: Any) -> None:
        self.fake.type_as(person.handle, chat, text, **kw)


class ZaloDriver(_Driver):
    """Types into the fake Zalo (private chats) and reads the bot's answers."""

    platform = "zalo"

    def __init__(self, fake: FakeZalo, bot: RunningBot) -> None:
        self.fake = fake
        self.bot = bot

    def person(self, name: str) -> Person:
        user = self.fake.user(name, bot=ZALO_TOKEN)
        return Person(name, user, f"zalo:{ZALO_BOT}:{user.id}")

    async def type(self, person: Person, chat: Any, text: str, **kw: Any) -> None:
        await self.fake.type_as(person.handle, chat, text, **kw)


class World:
    """One platform's fake, a driver for it, and the bot, started once the people exist."""

    def __init__(self, platform: str, fake: Any, folder: Path, clock: Clock | None) -> None:
        self.platform = platform
        self.fake = fake
        self.folder = folder
        self.bot = RunningBot(folder / "config.yaml", bot_environ(), clock)
        self.driver: TelegramDriver | ZaloDriver = (
            TelegramDriver(fake, self.bot)
            if platform == "telegram"
            else ZaloDriver(fake, self.bot)
        )

    async def start(self, *, admins: list[Person], **config: Any) -> App:
        urls = {f"{self.platform}_url": self.fake.base_url}
        write_config(self.folder, admins=[a.key for a in admins], **urls, **config)
        self.public_base_url = config.get("public_base_url")
        return self._published(await self.bot.start())

    async def restart(self) -> App:
        await self.bot.stop()
        return self._published(await self.bot.start())

    def _published(self, app: App) -> App:
        """Zalo fetches photo links at the public base URL: route that name (a proxy's, in
        production) to the bot's web server, as DNS and the proxy would."""
        base = getattr(self, "public_base_url", None)
        if self.platform == "zalo" and base and app.web_port:
            self.fake.public_hosts[base] = f"http://127.0.0.1:{app.web_port}"
        return app


class ReplyWaiter:
    """For a bot in another process: 'handled' means a new reply arrived in that chat."""

    def __init__(self, driver: TelegramDriver | ZaloDriver) -> None:
        self.driver = driver

    async def say(self, person: Person, chat: Any, text: str, *, replies: int = 1) -> list[str]:
        d = self.driver
        before = len(d.texts(chat))
        await d.type(person, chat, text)
        await eventually(
            lambda: len(d.texts(chat)) >= before + replies, timeout=15, what=f"a reply to {text!r}"
        )
        return d.texts(chat)[before:]
