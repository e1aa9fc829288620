"""Zalo's monthly message quota per bot: counted, asked about, guarded, and told to admins."""

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


@dataclass(frozen=True, slots=True)
class QuotaState:
    """One bot's month: the plan's quota, used, left, and whether Zalo said stop."""

    bot: str
    month: str
    quota: int
    used: int
    spent: bool

    @property
    def left(self) -> int:
        return 0 if self.spent else max(self.quota - self.used, 0)


class Quotas:
    """Counts every message a Zalo bot sends, in the deployment's month (local time)."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        quotas: Mapping[str, int],
        notifier: Notifier,
        alert_ratio: float = 0.8,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.quotas = dict(quotas)
        self.notifier = notifier
        self.alert_ratio = alert_ratio

    def month(self) -> str:
        return self.clock.now().astimezone(self.tz).strftime("%Y-%m")

    def counted(self, bot: str) -> bool:
        return bot in self.quotas

    def state(self, bot: str) -> QuotaState:
        month = self.month()
        spent = self.store.meta.get(f"quota.spent.{bot}") == month
        return QuotaState(
            bot, month, self.quotas.get(bot, 0), self.store.quota.used(bot, month), spent
        )

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
        """Add `n` sent messages; tell the admins once a month when 80 % is passed."""
        if not self.counted(bot) or n <= 0:
            return
        month = self.month()
        used = self.store.quota.add(bot, month, n)
        quota = self.quotas[bot]
        threshold = int(quota * self.alert_ratio)
        alert_key = f"quota.alerted.{bot}"
        if used >= threshold and self.store.meta.get(alert_key) != month:
            self.store.meta.set(alert_key, month)
            log.warning("zalo quota passed %d%% bot=%s used=%d", self.alert_ratio * 100, bot, used)
            await self.notifier.notify_admins(
                "quota.alert", bot=bot, used=used, quota=quota, percent=int(used * 100 / quota)
            )

    async def mark_spent(self, bot: str) -> None:
        """Zalo answered 429: no more sends from this bot until next month; admins are told."""
        month = self.month()
        if self.store.meta.get(f"quota.spent.{bot}") == month:
            return
        self.store.meta.set(f"quota.spent.{bot}", month)
        log.warning("zalo quota spent bot=%s month=%s", bot, month)
        await self.notifier.notify_admins("quota.spent", bot=bot, month=month)
