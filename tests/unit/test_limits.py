"""The send limiter's promises: gaps at least as long as the limits say, whatever the order of
waiting; a chat's gap counts from when a message really goes; replies go ahead of bulk.
(Only lower bounds: a slow machine makes gaps longer, never shorter.)"""

from __future__ import annotations

import asyncio
import itertools

from bot.messages import ChatKind, ChatRef
from bot.services.limits import RateLimits, SendLimiter

A = ChatRef("telegram", "", "1", ChatKind.PRIVATE)
B = ChatRef("telegram", "", "2", ChatKind.PRIVATE)
GROUP = ChatRef("telegram", "", "-3", ChatKind.GROUP)


async def _times(
    limiter: SendLimiter, chats: list[ChatRef], *, urgent: bool = False
) -> list[tuple[str, float]]:
    loop = asyncio.get_running_loop()
    out: list[tuple[str, float]] = []

    async def one(chat: ChatRef) -> None:
        await limiter.acquire(chat, urgent=urgent)
        out.append((chat.key, loop.time()))

    await asyncio.gather(*(one(c) for c in chats))
    return out


async def test_one_chat_is_spaced_and_the_total_holds_across_chats() -> None:
    limits = RateLimits(per_second_total=40, per_minute_per_group=600, per_second_per_chat=10)
    limiter = SendLimiter(limits)
    times = await _times(limiter, [A, B, A, B, A, GROUP, GROUP])
    total_gap = 1 / (40 * limits.safety)
    chat_gap = 1 / (10 * limits.safety)
    group_gap = 60 / (600 * limits.safety)
    stamps = sorted(t for _, t in times)
    assert all(b - a >= total_gap * 0.99 for a, b in itertools.pairwise(stamps))
    for key, gap in ((A.key, chat_gap), (B.key, chat_gap), (GROUP.key, group_gap)):
        mine = [t for k, t in times if k == key]
        assert all(b - a >= gap * 0.99 for a, b in itertools.pairwise(mine)), key


async def test_a_chat_is_ready_only_when_its_gap_has_passed() -> None:
    limiter = SendLimiter(RateLimits(per_second_total=None, per_second_per_chat=5))
    assert limiter.chat_ready(A)
    await limiter.acquire(A, urgent=False)
    assert not limiter.chat_ready(A) and limiter.chat_ready(B)
    await asyncio.sleep(limiter.spacing(A))
    assert limiter.chat_ready(A)


async def test_replies_go_ahead_of_bulk() -> None:
    limiter = SendLimiter(RateLimits(per_second_total=20, per_second_per_chat=None))
    order: list[str] = []

    async def send(name: str, chat: ChatRef, urgent: bool) -> None:
        await limiter.acquire(chat, urgent=urgent)
        order.append(name)

    await send("bulk0", A, False)  # the bucket is empty now: the next ones all wait
    first = asyncio.create_task(send("reply1", B, True))
    bulk = [asyncio.create_task(send(f"bulk{i}", A, False)) for i in range(1, 4)]
    await asyncio.sleep(0)
    late = asyncio.create_task(send("reply2", B, True))  # asked after the bulk, goes before it
    await asyncio.gather(*bulk, first, late)
    assert order == ["bulk0", "reply1", "reply2", "bulk1", "bulk2", "bulk3"], order
