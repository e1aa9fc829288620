"""The report index: its bulk load and kept-sorted "latest by reporter" agree with plain scans."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Report
from bot.store import open_store
from bot.store.embedded.shards import INDEX_SUFFIX
from bot.store.engine.report_index import ReportIndex, Row

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def naive_latest(rows: dict[str, list[Row]], reporter: int, limit: int) -> list[tuple[str, int]]:
    """What latest_by must answer: heads of this reporter, newest received first, by id."""
    heads = [(-rs[-1].received, rid, rs[-1].version) for rid, rs in rows.items() if rs]
    mine = sorted(h for h in heads if rows[h[1]][-1].reporter == reporter)
    return [(rid, version) for _, rid, version in mine[:limit]]


# One operation: (report number, version, reporter, received second, remove?).
ops = st.lists(
    st.tuples(
        st.integers(0, 8), st.integers(1, 3), st.integers(1, 3), st.integers(0, 5), st.booleans()
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(ops=ops, asks=st.lists(st.integers(1, 3), max_size=6))
def test_latest_by_follows_every_change(ops: list, asks: list[int]) -> None:
    """Asked between changes (so the kept lists must be updated, not rebuilt), latest_by
    always equals a scan: new versions, corrections that change the reporter or the time,
    removals, equal times."""
    index = ReportIndex()
    model: dict[str, list[Row]] = {}
    for i, (n, version, reporter, second, remove) in enumerate(ops):
        rid = f"r{n}"
        if remove:
            index.remove(rid, version)
            model[rid] = [r for r in model.get(rid, []) if r.version != version]
        else:
            row = Row(version, "2026-11", "danso", "v1", reporter, float(second))
            index.add(rid, row)
            kept = [r for r in model.get(rid, []) if r.version != version]
            model[rid] = sorted([*kept, row], key=lambda r: r.version)
        who = asks[i % len(asks)] if asks else 1
        assert index.latest_by(who, 4) == naive_latest(model, who, 4)
    for who in (1, 2, 3):
        assert index.latest_by(who, 50) == naive_latest(model, who, 50)
        assert index.ids_by(who) == {
            rid for rid, rs in model.items() if rs and rs[-1].reporter == who
        }


def test_columns_load_like_rows() -> None:
    """A shard loaded as columns answers like the same rows added one by one, also when a
    report's versions are spread over two shards (the bulk path must step aside)."""
    shards = [
        ("2026-10", "danso", ["a", "b", "c"], [1, 1, 1], [10, 11, 10], [1.0, 2.0, 3.0]),
        ("2026-11", "danso", ["d", "b", "e", "e"], [1, 2, 1, 2], [10, 12, 11, 11],
         [4.0, 5.0, 6.0, 7.0]),
    ]  # fmt: skip
    bulk, single = ReportIndex(), ReportIndex()
    for period, type_, ids, versions, reporters, received in shards:
        areas = [f"v{i}" for i in range(len(ids))]
        bulk.load_columns(period, type_, ids, (versions, areas, reporters, received))
        rows = zip(versions, areas, reporters, received, strict=True)
        pairs = zip(ids, rows, strict=True)
        single.load((rid, Row(v, period, type_, a, who, t)) for rid, (v, a, who, t) in pairs)
    assert sorted(bulk) == sorted(single) == ["a", "b", "c", "d", "e"]
    for rid in bulk:
        assert bulk.rows(rid) == single.rows(rid)
    assert bulk.head("b") == Row(2, "2026-11", "danso", "v1", 12, 5.0)
    assert bulk.ids_in("danso", "2026-10") == {"a", "c"}  # b moved with its head
    assert bulk.ids_in("danso", "2026-11") == {"b", "d", "e"}
    assert bulk.ids_by(10) == {"a", "c", "d"}
    assert bulk.latest_by(11, 5) == [("e", 2)]
    assert bulk.latest_by(10, 2) == [("d", 1), ("c", 1)]


def _report(n: int, reporter: int, minutes: int) -> Report:
    return Report(
        f"sinh:v{n % 3}:2026-11:{n:04x}", "sinh", f"v{n % 3}", "2026-11", {"sinh": n}, reporter,
        "telegram", T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def test_older_index_files_still_load(tmp_path: Path) -> None:
    """A store whose index files have the older layout (a list per row) opens with the same
    answers, and its next checkpoint writes the column layout."""
    data = tmp_path / "data"
    store = open_store(data, fsync="never")
    with store.atomic():
        for n in range(12):
            store.reports.add(_report(n, reporter=5 + n % 2, minutes=n))
    store.close()
    folder = data / "reports"
    for path in folder.glob("*" + INDEX_SUFFIX):
        doc = json.loads(path.read_text())
        columns = ("ids", "versions", "areas", "reporters", "received")
        rows = zip(*(doc[c] for c in columns), strict=True)
        old = [[rid, v, doc["period"], doc["type"], a, who, t] for rid, v, a, who, t in rows]
        path.write_text(json.dumps({"period": doc["period"], "type": doc["type"], "rows": old}))
    store = open_store(data, fsync="never")
    try:
        assert store.reports.count() == 12
        latest = store.reports.latest_by_reporter(6, limit=3)
        assert [r.values["sinh"] for r in latest] == [11, 9, 7]
        assert len(store.reports.in_period("sinh", "2026-11")) == 12
        store.reports.add(_report(12, reporter=6, minutes=12))
        store.checkpoint()
    finally:
        store.close()
    written = json.loads(next(folder.glob("*" + INDEX_SUFFIX)).read_text())
    assert "rows" not in written and len(written["ids"]) == 13
