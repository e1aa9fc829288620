"""The webhook outbox's records on every backend: ids, one head per (endpoint, order key), a
failure moves the head on, removal and compaction, and what a reopen keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.webhook_records import HookDelivery, HookStatus
from tests.store.harness import KINDS, Harness

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def item(endpoint: str, key: str, n: int) -> HookDelivery:
    return HookDelivery(
        id=0, endpoint=endpoint, event_id=f"e{n}", event_type="report.stored", order_key=key,
        body=f'{{"id":"e{n}","note":"Thôn Sơn Ninh"}}', created_at=T0 + timedelta(seconds=n),
        next_attempt_at=T0,
    )  # fmt: skip


@pytest.mark.parametrize("harness", KINDS, indirect=True)
def test_heads_follow_the_order_of_each_key(harness: Harness) -> None:
    s = harness.store
    keys = [("a", "report:1"), ("a", "report:1"), ("a", "report:2"), ("b", "report:1")]
    stored = [s.webhooks.add(item(e, k, n)) for n, (e, k) in enumerate(keys)]
    assert [i.id for i in stored] == [1, 2, 3, 4]
    s = harness.reopen()
    assert [i.id for i in s.webhooks.heads()] == [1, 3, 4], "report:1's second waits at a"
    assert s.webhooks.get(1) == stored[0], "the body comes back exactly"
    s.webhooks.save(replace(stored[0], status=HookStatus.INFLIGHT, attempts=1))
    assert [i.id for i in s.webhooks.heads()] == [1, 3, 4], "in flight still holds its key"
    s.webhooks.save(replace(stored[0], status=HookStatus.FAILED, failed_at=T0))
    s.webhooks.remove(3)
    s = harness.reopen()
    assert [i.id for i in s.webhooks.heads()] == [2, 4], "a failure lets the next one go"
    assert [i.id for i in s.webhooks.failed()] == [1]
    assert s.webhooks.compact(before=T0) == 0 and s.webhooks.compact(before=T0 + timedelta(1)) == 1
    s = harness.reopen()
    assert [i.id for i in s.webhooks.unfinished()] == [2, 4] and s.webhooks.failed() == []
    assert s.webhooks.add(item("a", "report:3", 9)).id == 5, "ids are never given again"
    with pytest.raises(KeyError):
        s.webhooks.save(replace(stored[2], id=99))
