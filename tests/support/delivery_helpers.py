"""Helpers for delivery tests: a bot on the fakes on the loop's time, and checks of the fakes'
logs."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from bot.app.runtime import App
from bot.core.clock import Clock
from bot.core.messages import ChatKind, ChatRef
from bot.core.models import JobStatus, OutboxJob
from bot.delivery.outbox import Message
from tests.fakes.loopback import LoggedRequest
from tests.support.harness import RunningBot, bot_environ, eventually, write_config
from tests.support.virtual_time import LoopClock, VirtualTimeLoop

# Every method the fake's flood limiter counts: sends, edits of text or buttons, pins, polls.
SEND_METHODS = (
    "sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto",
    "sendpoll", "pinchatmessage",
)  # fmt: skip


def start_config(folder: Path, *, tg: Any = None, zl: Any = None, **kw: Any) -> Path:
    """A config with fast retries for tests, on whichever fakes are given."""
    extra = kw.pop("extra", {})
    delivery = {"retry_base_seconds": 0.2, "max_attempts": 6, **extra.pop("delivery", {})}
    return write_config(
        folder,
        telegram_url=tg.base_url if tg else None,
        zalo_url=zl.base_url if zl else None,
        extra={"delivery": delivery, **extra},
        **kw,
    )


def loop_clock() -> Clock | None:
    """The wall clock for a bot on this test's loop: on virtual time one that moves with the
    loop (a retry due in 2 s comes after 2 s of the loop), else None (the system's)."""
    loop = asyncio.get_running_loop()
    return LoopClock(loop) if isinstance(loop, VirtualTimeLoop) else None


async def started(folder: Path, config: Path) -> tuple[RunningBot, App]:
    """A bot on the loop's time (retries and chat spacing need time to pass): real time, or
    virtual time for a test marked so."""
    bot = RunningBot(config, bot_environ(), loop_clock())
    return bot, await bot.start()


def group_chat(chat_id: int) -> ChatRef:
    return ChatRef("telegram", "", str(chat_id), ChatKind.GROUP)


def private_chat(platform: str, bot: str, user_id: str) -> ChatRef:
    return ChatRef(platform, bot, user_id, ChatKind.PRIVATE)


async def finished(app: App, job: OutboxJob, *, timeout: float) -> OutboxJob:
    """Wait (bounded) until the job is no longer running; return it."""
    assert app.store is not None
    store = app.store

    def done() -> bool:
        current = store.outbox.get_job(job.id)
        return current is not None and current.status is not JobStatus.RUNNING

    await eventually(done, timeout=timeout, what=f"outbox job {job.id} to finish")
    result = store.outbox.get_job(job.id)
    assert result is not None
    return result


def messages(chats: list[ChatRef], per_chat: int) -> list[Message]:
    """`per_chat` numbered messages into each chat, all of one chat first (the hardest order)."""
    return [
        Message(c, f"Thông báo {k}/{per_chat} cho {c.id}")
        for c in chats
        for k in range(1, per_chat + 1)
    ]


def window_breaches(
    entries: list[LoggedRequest],
    *,
    per_second_total: int,
    per_minute_per_group: int,
    per_second_per_chat: int,
) -> list[str]:
    """Replays the fake's log of answered sends against Telegram's sliding windows."""
    sends = [e for e in entries if e.method.lower() in SEND_METHODS and e.status == 200]
    problems: list[str] = []
    total: deque[float] = deque()
    per_chat: dict[str, deque[float]] = defaultdict(deque)
    for entry in sends:
        total.append(entry.at)
        while total and total[0] <= entry.at - 1.0:
            total.popleft()
        if len(total) > per_second_total:
            problems.append(f"{len(total)} sends within 1 s at {entry.at:.3f}")
        chat = str(entry.params.get("chat_id"))
        window = 60.0 if chat.startswith("-") else 1.0
        limit = per_minute_per_group if chat.startswith("-") else per_second_per_chat
        q = per_chat[chat]
        q.append(entry.at)
        while q and q[0] <= entry.at - window:
            q.popleft()
        if len(q) > limit:
            problems.append(f"{len(q)} sends into {chat} within {window:.0f} s")
    return problems
