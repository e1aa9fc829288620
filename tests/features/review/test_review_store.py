"""The review's marks through the store interface, on both backends: returned reports and
checked periods are kept whole, replaced by key, and survive closing and reopening the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.review_records import PeriodCheck, ReportReturn, ReturnState
from bot.store import Store, open_store

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)


def _mark(number: int, **changes: object) -> ReportReturn:
    base = ReportReturn(
        number=number, report_id=f"danso:18133-01:2026-11:{number:04x}", type="danso",
        area="18133-01", period="2026-11", version=1, officer=2, collaborator=3,
        reason="Số chết chưa khớp; =SUM(A1)", returned_at=T0 + timedelta(minutes=number),
        told="telegram::42",
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["memory", "tinydb"])
def test_returns_and_checks_are_kept_replaced_and_reopened(backend: str, tmp_path: Path) -> None:
    """Marks come back whole (aware times, states); a second save of a number or a (village,
    period) replaces the first; waiting() lists the open ones, oldest return first; TinyDB
    gives them back after a reopen; a person's data export includes them."""
    store: Store = open_store(tmp_path, backend=backend)
    store.report_returns.save(_mark(7))
    store.report_returns.save(_mark(3))
    closed = _mark(5, state=ReturnState.ACCEPTED, closed_at=T0 + timedelta(hours=1),
                   closed_by=2, closed_version=1)  # fmt: skip
    store.report_returns.save(closed)
    store.report_returns.save(_mark(3, reason="Thiếu số sinh"))  # returned again
    check = PeriodCheck("18133-01", "2026-11", officer=2, checked_at=T0, reports=4)
    with store.atomic():
        store.period_checks.save(check)
        store.period_checks.save(PeriodCheck("18133-02", "2026-10", officer=2, checked_at=T0))
    store.period_checks.save(replace(check, changes=1))
    store.period_checks.remove("18133-02", "2026-10")
    store.period_checks.remove("18133-02", "2026-10")  # nothing left: nothing happens

    if backend == "tinydb":
        store.close()
        store = open_store(tmp_path)
    assert [m.number for m in store.report_returns.all()] == [3, 5, 7]
    assert [m.number for m in store.report_returns.waiting()] == [3, 7]
    assert store.report_returns.get(3) == _mark(3, reason="Thiếu số sinh")
    assert store.report_returns.get(5) == closed
    assert store.report_returns.get(4) is None
    assert store.period_checks.all() == [replace(check, changes=1)]
    assert store.period_checks.get("18133-02", "2026-10") is None
    # What `people export` gives of the collaborator (3) and the officer (2).
    assert sorted(m["number"] for m in store.personal.about(3)["report_returns"]) == [3, 5, 7]
    assert len(store.personal.about(2)["period_checks"]) == 1
    assert store.personal.about(4)["report_returns"] == []
    store.close()


def test_a_mark_knows_when_it_stood_open() -> None:
    """open_at: returned by then and not closed yet; a mark without a number is refused."""
    mark = _mark(1, state=ReturnState.CORRECTED, closed_at=T0 + timedelta(hours=2))
    assert not mark.open
    assert not mark.open_at(T0)  # returned a minute later
    assert mark.open_at(T0 + timedelta(hours=1))
    assert not mark.open_at(T0 + timedelta(hours=2))
    with pytest.raises(ValueError, match="needs its number"):
        open_store(Path("."), backend="memory").report_returns.save(_mark(0))
