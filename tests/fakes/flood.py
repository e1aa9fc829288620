"""FloodLimiter: sliding-window send limits for the fake chat APIs (Telegram 429, Zalo quota)."""

from __future__ import annotations

import logging
import math
from collections import defaultdict, deque
from collections.abc import Callable, Hashable

from tests.fakes.loopback import monotonic

log = logging.getLogger(__name__)

_SECOND = 1.0
_MINUTE = 60.0


class FloodLimiter:
    """Counts sends in sliding windows and says how long to wait when one breaks a limit.

    Limits (None = off): `per_second_total` across all chats, `per_second_per_chat` for any
    chat, `per_minute_per_chat` for group chats only (Telegram's 20 messages a minute in a
    group). A refused request is not recorded, so waiting `retry_after` always helps.
    """

    def __init__(
        self,
        *,
        per_second_total: int | None = None,
        per_minute_per_chat: int | None = None,
        per_second_per_chat: int | None = None,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.per_second_total = per_second_total
        self.per_minute_per_chat = per_minute_per_chat
        self.per_second_per_chat = per_second_per_chat
        self._clock = clock
        self._all: deque[float] = deque()
        self._chat: defaultdict[Hashable, deque[float]] = defaultdict(deque)

    @property
    def active(self) -> bool:
        """Whether any limit is set."""
        return any(
            v is not None
            for v in (self.per_second_total, self.per_minute_per_chat, self.per_second_per_chat)
        )

    def reset(self) -> None:
        """Forget every recorded send."""
        self._all.clear()
        self._chat.clear()

    def check(self, chat_id: Hashable, is_group: bool) -> float | None:
        """Record one send to `chat_id`, or return the seconds to wait if it breaks a limit."""
        now = self._clock()
        sends = self._chat[chat_id]
        waits = [
            _wait(self._all, self.per_second_total, _SECOND, now),
            _wait(sends, self.per_second_per_chat, _SECOND, now),
        ]
        if is_group:
            waits.append(_wait(sends, self.per_minute_per_chat, _MINUTE, now))
        worst = max((w for w in waits if w is not None), default=None)
        if worst is not None:
            log.debug("flood limit hit for chat %s: retry after %.2fs", chat_id, worst)
            return worst
        self._all.append(now)
        sends.append(now)
        return None


def _wait(times: deque[float], limit: int | None, window: float, now: float) -> float | None:
    """Seconds until `times` (sorted) has room for one more within `window`, or None if it has."""
    if limit is None:
        return None
    if limit <= 0:
        return window
    # Keep deques bounded by the longest window any caller uses.
    while times and now - times[0] >= _MINUTE:
        times.popleft()
    inside = [t for t in times if now - t < window]
    if len(inside) < limit:
        return None
    # The oldest send that must leave the window before one more fits.
    oldest = inside[len(inside) - limit]
    return max(oldest + window - now, 0.001)


def retry_after_seconds(wait: float) -> int:
    """Telegram and Zalo answer whole seconds, at least 1."""
    return max(1, math.ceil(wait))
