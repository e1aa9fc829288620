"""The send limiter's promises: no sliding window ever holds more calls than its limit, whatever
the order of waiting; a chat's window counts a message from when it really goes; replies go
ahead of bulk. (Only upper bounds: a slow machine sends fewer, never more.) Time is a
ManualTicker that the tests move: no real second is waited."""

from __future__ import annotations

import asyncio

from bot.core.clock import ManualTicker
from bot.core.messages import ChatKind, ChatRef
from bot.delivery.send_limits import RateLimits, SendLimiter
from tests.support.ticking import run_moving

A = ChatRef("telegram", "", "1", ChatKind.PRIVATE)
B = ChatRef("telegram", "", "2", ChatKind.PRIVATE)
GROUP = ChatRef("telegram", "", "-3", ChatKind.GROUP)


async def _times(
    limiter: SendLimiter, ticker: ManualTicker, chats: list[ChatRef], *, urgent: bool = False
) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []

    async def one(chat: ChatRef) -> None:
        await limiter.acquire(chat, urgent=urgent)
        out.append((chat.key, ticker.monotonic()))

    await run_moving(ticker, asyncio.gather(*(one(c) for c in chats)))
    return out


MORE = [ChatRef("telegram", "", str(n), ChatKind.PRIVATE) for n in range(4, 8)]


def _most_in_a_window(stamps: list[float], span: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for s in stamps if t - span < s <= t) for t in stamps)


async def test_no_window_holds_more_than_its_limit() -> None:
    limits = RateLimits(per_second_total=20, per_minute_per_group=3, per_second_per_chat=5)
    ticker = ManualTicker()
    limiter = SendLimiter(limits, ticker=ticker)
    chats = [A, B, *MORE]
    times = await _times(limiter, ticker, chats * 6 + [GROUP] * 3)  # 39: more than 20 a second
    assert _most_in_a_window([t for _, t in times], 1 + limits.margin) == 20  # all, no more
    for chat in [*chats, GROUP]:
        mine = [t for k, t in times if k == chat.key]
        assert _most_in_a_window(mine, 1 + limits.chat_margin) <= 5, chat
    # The group's three a minute are used: it waits, and its pace is one every 20 s.
    assert not limiter.chat_ready(GROUP)
    assert limiter.spacing(GROUP) >= 20


async def test_a_chat_is_ready_only_when_its_gap_has_passed() -> None:
    ticker = ManualTicker()
    limiter = SendLimiter(RateLimits(per_second_total=None, per_second_per_chat=1), ticker=ticker)
    assert limiter.chat_ready(A)
    await limiter.acquire(A, urgent=False)
    assert not limiter.chat_ready(A) and limiter.chat_ready(B)
    ticker.advance(limiter.spacing(A))
    assert limiter.chat_ready(A)


async def test_replies_go_ahead_of_bulk() -> None:
    ticker = ManualTicker()
    limiter = SendLimiter(RateLimits(per_second_total=20, per_second_per_chat=None), ticker=ticker)
    order: list[str] = []

    async def send(name: str, chat: ChatRef, urgent: bool) -> None:
        await limiter.acquire(chat, urgent=urgent)
        order.append(name)

    for _ in range(20):
        await send("bulk0", A, False)  # the second is full now: the next ones all wait
    first = asyncio.create_task(send("reply1", B, True))
    bulk = [asyncio.create_task(send(f"bulk{i}", A, False)) for i in range(1, 4)]
    await asyncio.sleep(0)
    late = asyncio.create_task(send("reply2", B, True))  # asked after the bulk, goes before it
    await run_moving(ticker, asyncio.gather(*bulk, first, late))
    assert order == ["bulk0"] * 20 + ["reply1", "reply2", "bulk1", "bulk2", "bulk3"], order


async def test_each_of_several_instances_keeps_to_its_share_of_the_total() -> None:
    """Two instances send for one bot: each keeps to half of the bot's total, so that the two
    together keep to the platform's; the calls counted before the change stay counted. A
    chat's own limit is not halved (it is kept in the database: tests/app/test_cluster_pg.py)."""
    limits = RateLimits(per_second_total=30, per_minute_per_group=20, per_second_per_chat=1)
    ticker = ManualTicker()
    limiter = SendLimiter(limits, ticker=ticker)
    first = [ChatRef("telegram", "", str(n), ChatKind.PRIVATE) for n in range(90, 100)]
    before = await _times(limiter, ticker, first)  # 10 sent before the change, at once
    limiter.set_share(2)
    chats = [ChatRef("telegram", "", str(n), ChatKind.PRIVATE) for n in range(100, 160)]
    times = await _times(limiter, ticker, chats)
    stamps = [t for _, t in before + times]
    assert _most_in_a_window(stamps, 1 + limits.margin) == 15  # the 10 before count too
    assert limiter.spacing(A) < 1.2  # one a second into a chat, as before
    limiter.set_share(1)  # the other instance died: the whole budget again
    more = [ChatRef("telegram", "", str(n), ChatKind.PRIVATE) for n in range(200, 260)]
    again = await _times(limiter, ticker, more)
    assert _most_in_a_window([t for _, t in again], 1 + limits.margin) == 30
