"""Zalo's monthly message quota per bot: counted, asked about, guarded, and told to admins.

Whether the quota counts the messages people send to the bot as well as the bot's own is
contested (docs/zalo.md): each bot's `quota_counts` says which, "both" (the cautious reading,
the default) or "outgoing"; incoming messages are counted as intake takes them in (`received`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.sender import Notifier
    from bot.store.base import Store

log = logging.getLogger(__name__)

PLATFORM = "zalo"
BOTH = "both"  # the other setting is "outgoing"


@dataclass(frozen=True, slots=True)
class QuotaState:
    """One bot's month: the plan's quota, used, left, and whether Zalo said stop."""

    bot: str
    month: str
    quota: int
    used: int
    spent: bool
    counts: str = BOTH  # what the quota counts: "both" (incoming too) or "outgoing"

    @property
    def left(self) -> int:
        return 0 if self.spent else max(self.quota - self.used, 0)


class Quotas:
    """Counts every message a Zalo bot sends (and receives, where its `quota_counts` is
    "both"), in the deployment's month (local time)."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        quotas: Mapping[str, int],
        notifier: Notifier,
        alert_ratio: float = 0.8,
        counts: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.quotas = dict(quotas)
        self.notifier = notifier
        self.alert_ratio = alert_ratio
        # Per bot: "both" or "outgoing"; a bot not named counts both (the cautious reading).
        self.counts = {bot: (counts or {}).get(bot, BOTH) for bot in self.quotas}

    def month(self) -> str:
        return self.clock.now().astimezone(self.tz).strftime("%Y-%m")

    def counted(self, bot: str) -> bool:
        return bot in self.quotas

    def state(self, bot: str) -> QuotaState:
        month = self.month()
        spent = self.store.meta.get(f"quota.spent.{bot}") == month
        return QuotaState(
            bot, month, self.quotas.get(bot, 0), self.store.quota.used(bot, month), spent,
            self.counts.get(bot, BOTH),
        )  # fmt: skip

    def states(self) -> list[QuotaState]:
        return [self.state(bot) for bot in sorted(self.quotas)]

    def check_bulk(self, costs: Mapping[str, int]) -> None:
        """Refuse a bulk send up front when any bot's share would pass what is left."""
        for bot, cost in sorted(costs.items()):
            if not self.counted(bot) or cost == 0:
                continue
            state = self.state(bot)
            if cost > state.left:
                raise UserError("quota.refused", bot=bot, cost=cost, left=state.left)

    async def count(self, bot: str, n: int) -> None:
        """Add `n` messages; tell the admins once a month when 80 % is passed."""
        used = self._add(bot, n)
        if used is not None:
            await self.alert(bot, used)

    def _add(self, bot: str, n: int) -> int | None:
        """Add `n` messages; the count when the month's alert is due now (marked as told, so
        once a month), else None."""
        if not self.counted(bot) or n <= 0:
            return None
        month = self.month()
        used = self.store.quota.add(bot, month, n)
        threshold = int(self.quotas[bot] * self.alert_ratio)
        alert_key = f"quota.alerted.{bot}"
        if used >= threshold and self.store.meta.get(alert_key) != month:
            self.store.meta.set(alert_key, month)
            return used
        return None

    async def alert(self, bot: str, used: int) -> None:
        """Tell the admins the bot has passed the alert share of its month's quota."""
        quota = self.quotas[bot]
        log.warning("zalo quota passed %d%% bot=%s used=%d", self.alert_ratio * 100, bot, used)
        await self.notifier.notify_admins(
            "quota.alert", bot=bot, used=used, quota=quota, percent=int(used * 100 / quota)
        )

    def counts_incoming(self, platform: str, bot: str) -> bool:
        """Whether a message people send to this bot counts against its quota too."""
        return platform == PLATFORM and self.counted(bot) and self.counts[bot] == BOTH

    def received(self, platform: str, bot: str) -> int | None:
        """A message reached the bot (intake took it in): counted where the bot's setting says
        incoming messages count too. The count when the admins are due the month's alert (the
        caller awaits `alert`, so intake is not held up by a send), else None."""
        return self._add(bot, 1) if self.counts_incoming(platform, bot) else None

    async def mark_spent(self, bot: str) -> None:
        """Zalo answered 429: no more sends from this bot until next month; admins are told."""
        month = self.month()
        if self.store.meta.get(f"quota.spent.{bot}") == month:
            return
        self.store.meta.set(f"quota.spent.{bot}", month)
        log.warning("zalo quota spent bot=%s month=%s", bot, month)
        await self.notifier.notify_admins("quota.spent", bot=bot, month=month)
