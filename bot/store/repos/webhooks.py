"""The webhook outbox's repository, over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.core.webhook_records import HookDelivery, HookStatus
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id

TABLE = "webhook_deliveries"


class HookDeliveriesRepo:
    """Few rows at a time (delivered ones are removed), so queries scan the table."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables[TABLE])

    def add(self, item: HookDelivery) -> HookDelivery:
        with self._core.atomic():
            stored = replace(item, id=next_id(self._core, TABLE))
            self._core.put(TABLE, stored.id, stored)
        return stored

    def get(self, item_id: int) -> HookDelivery | None:
        return cast(HookDelivery | None, self._table.get(item_id))

    def save(self, item: HookDelivery) -> None:
        if self._table.get(item.id) is None:
            msg = f"webhook delivery {item.id} is not stored (add assigns ids)"
            raise KeyError(msg)
        self._core.put(TABLE, item.id, item)

    def remove(self, item_id: int) -> None:
        if self._table.get(item_id) is not None:
            self._core.put(TABLE, item_id, None)

    def _all(self) -> list[HookDelivery]:
        return sorted(cast(list[HookDelivery], self._table.values()), key=lambda i: i.id)

    def heads(self) -> list[HookDelivery]:
        seen: set[tuple[str, str]] = set()
        out = []
        for item in self.unfinished():
            key = (item.endpoint, item.order_key)
            if key not in seen:
                seen.add(key)
                out.append(item)
        return out

    def unfinished(self) -> list[HookDelivery]:
        return [i for i in self._all() if i.status is not HookStatus.FAILED]

    def failed(self) -> list[HookDelivery]:
        return [i for i in self._all() if i.status is HookStatus.FAILED]

    def compact(self, *, before: datetime) -> int:
        gone = [i.id for i in self.failed() if i.failed_at is not None and i.failed_at < before]
        with self._core.atomic():
            for item_id in gone:
                self._core.put(TABLE, item_id, None)
        return len(gone)
