"""A full disk loses no message: the bot confirms to the platform only what it stored.

A real `python -m bot run` on a small filesystem of its own (tests/app/small_disk.py) takes a
round of reports, then its disk is filled while it runs and collaborators send 70 more reports
(80 in all, as in the issue). While the disk is full: /healthz answers 503 and says why, the
admin is told once (by a channel that needs no disk: a direct message), and nothing the bot
could not store is confirmed to the platform (Telegram polling: the offset stays; Telegram's
webhook and Zalo's: 5xx, so the platform sends it again; Zalo polling: the update is kept in
memory and offered again). Then the space comes back: every report is stored and echoed exactly
once, the admin hears it is over, /healthz is 200 again.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.core.models import Role
from bot.store import open_store
from tests.app import small_disk
from tests.app.small_disk import SmallDiskBot
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_seed import Member, area_tree, private_commune, seed_store, village
from tests.support.harness import ZALO_BOT, BotProcess, bot_environ, eventually, write_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not small_disk.available(), reason="needs unshare and a tmpfs mount"),
]
PEOPLE, ROUNDS = 10, 8  # 80 reports
SECRET = "s3cret-webhook-token-for-tests"
PUBLIC = "https://bot.example.org"
FAST = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}
ALERT = "không ghi được dữ liệu"
RECOVERED = "ghi được dữ liệu trở lại"
SETTLE = 1.5  # seconds of good writes before the all-clear (10 in production)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_echo(text: str) -> bool:
    return text.startswith("✅ Đã lưu báo cáo")


def _report(n: int) -> str:
    return f"/bc sinh {n}, chet 0"


class Side:
    """One platform's fake as the test uses it: people, typing, what the bot sent."""

    def __init__(self, platform: str, fake: Any) -> None:
        self.platform = platform
        self.fake = fake
        self.admin: Any = None
        self.people: list[Any] = []

    def make_people(self) -> list[Member]:
        tg = self.platform == "telegram"
        if tg:
            users = [self.fake.user(300_000 + i, f"CTV {i}") for i in range(PEOPLE + 1)]
            self.fake.bot_state().started.update(u.id for u in users)  # they wrote first
        else:
            users = [self.fake.user(f"CTV {i}") for i in range(PEOPLE + 1)]
            for user in users:
                self.fake.chats[(user.bot, user.id)].reachable = True
        self.admin, self.people = users[0], users[1:]
        key: Callable[[Any], str] = (
            (lambda u: f"telegram:{u.id}") if tg else (lambda u: f"zalo:{ZALO_BOT}:{u.id}")
        )
        admin = Member("Quản trị", key(self.admin), Role.ADMIN, "42")
        return [admin] + [
            Member(f"CTV {i}", key(u), Role.COLLABORATOR, village(private_commune(1), i + 1))
            for i, u in enumerate(self.people)
        ]

    def route_webhook(self, local: str) -> None:
        if self.platform == "telegram":
            state = self.fake.bot_state()
        else:
            state = next(iter(self.fake.bots.values()))
        assert state.webhook_url.startswith(PUBLIC), state.webhook_url
        state.webhook_url = local + state.webhook_url.removeprefix(PUBLIC)

    def unconfirmed(self, mode: str, bot: SmallDiskBot) -> bool:
        """Whether the platform still holds updates the bot did not confirm."""
        if self.platform == "telegram" and mode == "polling":
            return bool(self.fake.pending())  # getUpdates' offset stayed on them
        if mode == "webhook":
            statuses = [d[1] if isinstance(d, tuple) else d.status
                        for d in self.fake.webhook_deliveries]  # fmt: skip
            return any(s >= 500 for s in statuses)  # and Telegram tries again
        return "kept to offer again" in bot.stderr()  # Zalo polling: kept in memory

    def admin_key(self) -> str:
        if self.platform == "telegram":
            return f"telegram:{self.admin.id}"
        return f"zalo:{ZALO_BOT}:{self.admin.id}"

    async def type(self, user: Any, text: str) -> None:
        if self.platform == "telegram":
            self.fake.type_as(user, self.fake.private(user), text)
        else:
            await self.fake.type_as(user, None, text)

    def texts(self, user: Any) -> list[str]:
        return [m.text for m in self.fake.sent(self.fake.private(user))]

    def echoes(self) -> Counter[tuple[int, str]]:
        """(person, the births the echo shows) → how many echoes."""
        return Counter(
            (i, text.split("Sinh: ")[1].split("\n")[0])
            for i, user in enumerate(self.people)
            for text in self.texts(user)
            if _is_echo(text)
        )


async def _health(port: int) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status, json.loads(await resp.text())


async def _zalo_redeliver(fake: FakeZalo, port: int, done: set[int]) -> None:
    """What Zalo would do with a call the bot answered with 5xx: send it again (the fake does
    not retry by itself; Zalo's policy is undocumented)."""
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as session:
        for n, delivery in enumerate(list(fake.webhook_deliveries)):
            if n in done or 200 <= delivery.status < 300:
                continue
            url = f"http://127.0.0.1:{port}/webhook/zalo/{ZALO_BOT}"
            async with session.post(url, json=delivery.body, headers=headers) as resp:
                if resp.status == 200:
                    done.add(n)


@pytest.mark.parametrize(
    "platform,mode",
    [("telegram", "polling"), ("telegram", "webhook"), ("zalo", "polling"), ("zalo", "webhook")],
)
async def test_a_full_disk_confirms_nothing_it_did_not_store_and_loses_no_report(
    platform: str, mode: str, tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    fake: Any = fake_telegram if platform == "telegram" else fake_zalo
    side = Side(platform, fake)
    members = side.make_people()
    port = _free_port()
    config = write_config(
        tmp_path, admins=[side.admin_key()], mode=mode, **{f"{platform}_url": fake.base_url},
        extra={
            "web": {"host": "127.0.0.1", "port": port, "public_base_url": PUBLIC},
            "areas": area_tree(group_communes=0, private_communes=1, villages=PEOPLE),
            "delivery": {"telegram": FAST, "zalo": FAST},
            "logging": {"level": "INFO", "format": "json"},
            "health": {"storage_settle_seconds": SETTLE},
        },
    )  # fmt: skip
    environ = bot_environ(webhook_secret=SECRET)
    seed_store(config, members, [], environ=environ)
    bot = SmallDiskBot(config, environ)
    redelivered: set[int] = set()
    try:
        await bot.start()
        await eventually(lambda: "bot started" in bot.stderr(), timeout=30, what="the start")
        if mode == "webhook":  # the public https address, as the proxy would, to the bot
            side.route_webhook(f"http://127.0.0.1:{port}")
        for n, user in enumerate(side.people):  # the first round, with room on the disk
            await side.type(user, _report(100 + n))
        await eventually(lambda: len(side.echoes()) == PEOPLE, timeout=15, what="round 1")
        assert (await _health(port))[0] == 200

        bot.fill()
        for r in range(1, ROUNDS):
            for n, user in enumerate(side.people):
                await side.type(user, _report(100 * (r + 1) + n))
        admin = side.admin
        await eventually(lambda: any(ALERT in t for t in side.texts(admin)), timeout=15,
                         what="the admin told of the full disk")  # fmt: skip
        status, body = await _health(port)
        assert status == 503, body
        assert body["storage"]["ok"] is False
        assert "No space left" in body["storage"]["reason"], body
        stored_while_full = len(side.echoes())
        assert stored_while_full < PEOPLE * ROUNDS, "the disk was full: most reports wait"
        await asyncio.sleep(2.0)  # the platforms keep offering what was not taken in
        assert side.unconfirmed(mode, bot), "what was not stored is not confirmed"
        assert sum(ALERT in t for t in side.texts(admin)) == 1, "told once per episode"

        bot.free()

        def all_echoed() -> bool:
            return len(side.echoes()) == PEOPLE * ROUNDS

        for _ in range(60):
            if platform == "zalo" and mode == "webhook":
                await _zalo_redeliver(fake_zalo, port, redelivered)
            if all_echoed():
                break
            await asyncio.sleep(0.5)
        echoes = side.echoes()
        assert len(echoes) == PEOPLE * ROUNDS, f"{len(echoes)} of {PEOPLE * ROUNDS} echoed"
        await eventually(lambda: any(RECOVERED in t for t in side.texts(admin)), timeout=30,
                         what="the admin told it is over")  # fmt: skip
        assert (await _health(port))[0] == 200
        await asyncio.sleep(1.0)  # a late second handling would show up now
        assert set(side.echoes().values()) == {1}, "each report echoed exactly once"
        copy = bot.copy_data(tmp_path / "after")
    finally:
        await bot.stop()
    assert sum(ALERT in t for t in side.texts(side.admin)) == 1
    store = open_store(copy)
    try:
        period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
        reports = store.reports.in_period("danso", period)
        per_message = Counter((r.reporter, r.values.get("sinh")) for r in reports)
        assert len(per_message) == PEOPLE * ROUNDS and set(per_message.values()) == {1}
    finally:
        store.close()


async def test_a_restart_on_a_full_disk_runs_tells_and_catches_up(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """The bot crashed (its journal holds commits not yet folded into the checkpoint files) and
    comes back on a full disk: it starts anyway (no restart loop), and works as above."""
    fake = fake_telegram
    side = Side("telegram", fake)
    members = side.make_people()
    port = _free_port()
    config = write_config(
        tmp_path, admins=[side.admin_key()], telegram_url=fake.base_url,
        extra={
            "web": {"host": "127.0.0.1", "port": port, "public_base_url": None},
            "areas": area_tree(group_communes=0, private_communes=1, villages=PEOPLE),
            "delivery": {"telegram": FAST},
            "logging": {"level": "INFO", "format": "json"},
            "health": {"storage_settle_seconds": SETTLE},
        },
    )  # fmt: skip
    environ = bot_environ()
    seed_store(config, members, [], environ=environ)
    before = BotProcess(config, environ)  # on the ordinary disk: the seed of the small one
    await before.start()
    try:
        await side.type(side.people[0], _report(1))
        await eventually(lambda: len(side.echoes()) == 1, timeout=30, what="the first report")
        await before.kill()
    finally:
        await before.stop()

    bot = SmallDiskBot(config, environ)
    try:
        await bot.start(full=True)
        await eventually(lambda: "bot started" in bot.stderr(), timeout=30, what="the start")
        assert "checkpoint at open failed" in bot.stderr()
        for n, user in enumerate(side.people):
            await side.type(user, _report(100 + n))
        admin = side.admin
        await eventually(lambda: any(ALERT in t for t in side.texts(admin)), timeout=15,
                         what="the admin told of the full disk")  # fmt: skip
        assert (await _health(port))[0] == 503
        assert bot.proc is not None and bot.proc.returncode is None, "still running"

        bot.free()
        await eventually(lambda: len(side.echoes()) == PEOPLE + 1, timeout=30,
                         what="every report, once the disk has room")  # fmt: skip
        await eventually(lambda: any(RECOVERED in t for t in side.texts(admin)), timeout=30,
                         what="the admin told it is over")  # fmt: skip
        await asyncio.sleep(1.0)
        assert set(side.echoes().values()) == {1}, "each report echoed exactly once"
    finally:
        await bot.stop()
