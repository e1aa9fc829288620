"""Schema migrations: a store the v1 program wrote (tests/data/store-v1) opens migrated, with a
backup beside it that restores the v1 files byte for byte; a failing step changes nothing."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config.loading import load_config
from bot.core.models import OutboxItem, OutboxStatus, Report
from bot.store import SCHEMA_VERSION, open_store
from bot.store.embedded.backup import restore_backup
from bot.store.maintenance import migrations as migrations_module
from bot.store.maintenance.check import check_store
from bot.store.maintenance.migrations import (
    NAMES_PENDING_KEY,
    MigrationContext,
    StoreMigrationError,
    area_names_from,
    migrate,
)
from bot.store.memory import MemoryStore
from bot.store.repos.core_store import CoreStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "store-v1"
NAMES = area_names_from(load_config(ROOT / "config.yaml").areas)
SKIP = {"store.lock", "checkpoint.lock"}


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, leaving out locks and backups."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in SKIP and "backups" not in p.relative_to(folder).parts
    }


def all_versions(store: CoreStore) -> list[Report]:
    ids = sorted(store._core.tables["reports"].index)  # type: ignore[attr-defined]
    return [r for rid in ids for r in store.reports.versions(rid)]


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def test_the_v1_store_migrates_with_a_backup_that_restores_it(v1: Path, tmp_path: Path) -> None:
    """Opening the v1 fixture replays its journal, backs up, migrates to v3 in one commit: every
    report version has its village's name and its report's number, the store checks out, an
    audit entry says where the backup is, and that archive restores the v1 files byte-identical."""
    assert SCHEMA_VERSION == 3
    store = open_store(v1, area_names=NAMES)
    assert isinstance(store, CoreStore)
    try:
        assert store.schema_version == 3 and store.meta.get("schema_version") == 3
        versions = all_versions(store)
        assert len(versions) == 50  # 48 reports, one of them corrected twice (in the journal)
        assert [r.version for r in store.reports.versions("danso:18115-01:2026-10")] == [1, 2, 3]
        assert all(r.area_name == NAMES[r.area] != "" for r in versions)
        numbers = {r.id: r.number for r in versions}
        assert sorted(numbers.values()) == list(range(1, 49)), "48 reports numbered 1 to 48"
        assert {r.number for r in store.reports.versions("danso:18115-01:2026-10")} == {
            numbers["danso:18115-01:2026-10"]
        }, "every version carries its report's number"
        assert store.reports.by_number(numbers["danso:18118-03:2026-11"]).id == (  # type: ignore[union-attr]
            "danso:18118-03:2026-11"
        )
        assert store.reports.get("danso:18118-03:2026-11").area_name == "Tổ dân phố 3"  # type: ignore[union-attr]
        assert check_store(store) == []
        (entry,) = [e for e in store.audit.recent(10) if e.action == "store.migrate"]
        assert (entry.who, entry.where) == ("system", "start")
        assert entry.detail["from"] == 1 and entry.detail["to"] == 3
        assert entry.detail["v2"] == {"report_numbers": 48}
        (archive,) = (v1 / "backups").glob("pre-migration-v1-*.tar.gz")
        assert entry.detail["backup"] == str(archive)
        # The outbox job file kept the send the journal recorded.
        assert [i.status for i in store.outbox.for_job(1)].count(OutboxStatus.SENT) == 2
    finally:
        store.close()
    restored = tmp_path / "restored"
    manifest = restore_backup(archive, restored)
    assert manifest["schema_version"] == 1
    assert files_of(restored) == files_of(FIXTURE)
    # Open again: already current, so no second backup and no second audit entry.
    again = open_store(v1, area_names=NAMES)
    try:
        assert len(list((v1 / "backups").iterdir())) == 1
        assert [e.action for e in again.audit.recent(10)] == ["store.migrate"]
    finally:
        again.close()


def test_a_failing_migration_leaves_the_store_as_it_was(
    v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that raises half-way: the open fails with a clear error, no file of the store
    changed (the backup exists anyway), the lock is free, and a good program migrates later."""
    step = migrations_module.STEPS[1]

    def half_then_fail(store: CoreStore, ctx: MigrationContext) -> dict[str, object]:
        step(store, ctx)  # every report rewritten in memory...
        raise RuntimeError("disk on fire")  # ...then a failure

    monkeypatch.setitem(migrations_module.STEPS, 1, half_then_fail)
    with pytest.raises(StoreMigrationError, match="migration from schema version 1 to 2 failed"):
        open_store(v1, area_names=NAMES)
    assert files_of(v1) == files_of(FIXTURE)
    assert len(list((v1 / "backups").glob("pre-migration-v1-*.tar.gz"))) == 1
    monkeypatch.setitem(migrations_module.STEPS, 1, step)
    store = open_store(v1, area_names=NAMES)
    try:
        assert store.schema_version == 3 and check_store(store) == []  # type: ignore[arg-type]
    finally:
        store.close()


def test_without_an_area_tree_the_names_wait_for_the_next_open(v1: Path) -> None:
    """A bare open (no config) migrates with names left empty; the next open with the tree
    fills them and clears the mark."""
    store = open_store(v1)
    assert isinstance(store, CoreStore)
    assert store.schema_version == 3
    assert {r.area_name for r in all_versions(store)} == {""}
    assert store.meta.get(NAMES_PENDING_KEY) is True
    store.close()
    store = open_store(v1, area_names=NAMES)
    assert isinstance(store, CoreStore)
    try:
        assert all(r.area_name == NAMES[r.area] for r in all_versions(store))
        assert store.meta.get(NAMES_PENDING_KEY) is None
    finally:
        store.close()


def test_the_memory_backend_migrates_too() -> None:
    """Steps run over the transaction core, so the memory backend needs nothing of its own; a
    code missing from the tree keeps an empty name."""
    store = MemoryStore()
    store.meta.set("schema_version", 1)
    at = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    for area in ("18115-01", "gone-village"):
        store.reports.add(
            Report(f"danso:{area}:2026-11", "danso", area, "2026-11", {}, 1, "x", at)
        )
    migrate(store, 1, MigrationContext(area_names=NAMES, now=lambda: at), backup="")
    assert store.meta.get("schema_version") == SCHEMA_VERSION
    names = {r.area: r.area_name for r in all_versions(store)}
    assert names == {"18115-01": NAMES["18115-01"], "gone-village": ""}
    assert [e.action for e in store.audit.recent(5)] == ["store.migrate"]


def test_v2_reports_get_numbers_in_the_order_they_were_first_stored() -> None:
    """v2 -> v3: each report gets one number on all its versions, by its first version's time;
    the next report stored continues after the last number."""
    store = MemoryStore()
    store.meta.set("schema_version", 2)
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    older = [  # written as a v2 program did: no numbers (put past the numbering repository)
        Report("b", "danso", "18115-01", "2026-11", {}, 1, "x", at),
        Report("a", "danso", "18115-01", "2026-11", {}, 1, "x", at + timedelta(hours=1)),
        Report("b", "danso", "18115-01", "2026-11", {}, 2, "x", at + timedelta(hours=2), 2),
    ]
    for report in older:
        store._core.put("reports", (report.id, report.version), report)
    migrate(store, 2, MigrationContext(area_names=NAMES, now=lambda: at), backup="")
    assert [(r.id, r.version, r.number) for r in all_versions(store)] == [
        ("a", 1, 2), ("b", 1, 1), ("b", 2, 1),
    ]  # fmt: skip
    assert store.reports.by_number(1).version == 2  # type: ignore[union-attr]
    new = store.reports.add(Report("c", "danso", "18115-01", "2026-11", {}, 1, "x", at))
    assert new.number == 3 and store.reports.by_number(3) == new


def test_check_store_names_broken_invariants() -> None:
    """The checks can fail: an orphan outbox item, a gap in report versions, a lagging counter."""
    store = MemoryStore()
    now = datetime(2026, 11, 2, tzinfo=UTC)
    store.outbox.add(
        [OutboxItem(0, 99, "telegram:b:1", "private", "hi", OutboxStatus.PENDING, now, now)]
    )
    store.reports.add(Report("r", "danso", "18115-01", "2026-11", {}, 1, "x", now, version=2))
    store.reports.add(Report("s", "danso", "18115-01", "2026-11", {}, 1, "x", now, number=1))
    store.meta.set("next_id.outbox", 1)
    problems = check_store(store)
    assert any("missing job 99" in p for p in problems)
    assert any("versions [2]" in p for p in problems)
    assert any("share number 1" in p for p in problems)
    assert any("next_id.outbox" in p for p in problems)
