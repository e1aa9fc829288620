"""The fake Telegram of the benchmarks, the seed's groups on it, and processes polling it.

The fake (tests/fakes) runs in the benchmark's own process and event loop; the bot and the
echo bot run as child processes, so each has a core of its own on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import ROOT, SUPERVISOR_ID, Seed, bot_env

from tests.fakes.loopback import monotonic
from tests.fakes.telegram_api import FakeChat, FakeTelegram, FakeUser
from tests.fakes.telegram_world import Params
from tests.support.harness import TG_TOKEN

BENCH = Path(__file__).resolve().parent


@dataclass
class Replies:
    """Hooked into the fake (its `hold`, awaited on every answered call): the moment each
    reply arrives, matched to the message it quotes (the bot quotes in groups)."""

    waiting: dict[tuple[str, str], asyncio.Future[tuple[float, str]]] = field(default_factory=dict)
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    on_call: Callable[[str, dict[str, Any], float], None] | None = None

    def expect(self, chat: FakeChat, message_id: int) -> asyncio.Future[tuple[float, str]]:
        """A future for (when, text) of the first reply to that message."""
        future: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self.waiting[(str(chat.id), str(message_id))] = future
        return future

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        now = monotonic()
        if self.on_call is not None:
            self.on_call(method, params, now)
        if method.lower() != "sendmessage":
            return
        p = Params(params)
        quoted = (p.json("reply_parameters") or {}).get("message_id") or params.get(
            "reply_to_message_id"
        )
        key = (p.str("chat_id"), str(quoted))
        future = self.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result((now, p.str("text")))
        else:
            self.unmatched.append((p.str("chat_id"), p.str("text")))


@dataclass
class World:
    fake: FakeTelegram
    replies: Replies
    groups: list[tuple[FakeChat, list[FakeUser]]]
    supervisor: FakeUser


async def start_world(
    seed: Seed,
    *,
    limits: dict[str, int | None] | None = None,
    fake: FakeTelegram | None = None,
) -> World:
    """A fresh fake (or `fake`, not started yet) with @DansoBot, the seed's bound groups and
    their collaborators."""
    fake = fake or FakeTelegram()
    await fake.start()
    fake.add_bot(TG_TOKEN, username="DansoBot")
    if limits:
        fake.limits(**limits)
    groups = []
    for g in seed.groups:
        users = [fake.user(m.user_id, m.name) for m in g.members]
        groups.append((fake.group(g.chat_id, g.title, members=users), users))
    supervisor = fake.user(SUPERVISOR_ID, "Giám sát tỉnh")
    replies = Replies()
    fake.hold = replies
    return World(fake, replies, groups, supervisor)


async def spawn_bot(
    config: Path, log: Path, *, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot run --config …`, as a person starts it (`env`: added to bot_env())."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        cwd=ROOT, env={**bot_env(), **(env or {})}, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


async def spawn_echo(fake: FakeTelegram, log: Path, *, mode: str) -> Any:
    """The anchor: a bare python-telegram-bot echo bot (bench/echo_bot.py)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, str(BENCH / "echo_bot.py"), fake.base_url, TG_TOKEN,
        mode,
        cwd=ROOT, env=bot_env(), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll (bounded) until `check` holds."""
    deadline = monotonic() + timeout
    while not check():
        if monotonic() > deadline:
            msg = f"timed out after {timeout:.0f} s waiting for {what}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.01)
