"""Write tests/data/store-v1/: a small store as the program at SCHEMA_VERSION 1 wrote it.

Kept for the record; it only works with the code of schema version 1 (git history before the
v1 -> v2 migration): `python tests/data/make_store_v1.py`. Everything goes through the real store
API with fixed times and ids, so the files come out the same each run. Most data is in
checkpoint files; the last few commits are left in journal.jsonl (the store is let go without
its closing checkpoint, as after a crash), so opening the fixture replays them before migrating.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.core.models import (
    Account,
    GroupBinding,
    OutboxItem,
    OutboxStatus,
    Report,
    Role,
    RoleGrant,
)
from bot.store import SCHEMA_VERSION
from bot.store.embedded.tinydb_store import TinyDBStore

HERE = Path(__file__).resolve().parent
TARGET = HERE / "store-v1"
ICT = timezone(timedelta(hours=7))
T0 = datetime(2026, 10, 5, 8, 0, tzinfo=ICT)
# Villages of the shipped config.yaml (two communes of huyện Can Lộc).
VILLAGES = [f"18115-{n:02d}" for n in range(1, 7)] + [f"18118-{n:02d}" for n in range(1, 7)]


def report(n: int, type_: str, period: str, village: str, reporter: int) -> Report:
    return Report(
        id=f"{type_}:{village}:{period}",
        type=type_,
        area=village,
        period=period,
        values={"sinh": n % 4, "chet": n % 2} if type_ == "danso" else {"phu_nu": 10 + n},
        reporter=reporter,
        platform="telegram",
        received_at=T0 + timedelta(days=30 if period == "2026-11" else 0, minutes=n),
        source_message=f"telegram:bot:{1000 + reporter}:{n}",
    )


def main() -> None:
    assert SCHEMA_VERSION == 1, "this script writes a schema version 1 store only"
    shutil.rmtree(TARGET, ignore_errors=True)
    store = TinyDBStore(TARGET, fsync="never", checkpoint_bytes=1 << 30)
    people = [
        store.people.add(
            name=name,
            accounts=(Account(f"telegram:{1000 + n}", name, reachable=True),),
            roles=(RoleGrant(role, area, "seed", T0),),
            created_at=T0,
        )
        for n, (name, role, area) in enumerate(
            [
                ("Nguyễn Văn An", Role.ADMIN, "18115"),
                ("Trần Thị Bình", Role.OFFICER, "18115"),
                ("Lê Văn Cường", Role.COLLABORATOR, "18115-01"),
                ("Phạm Thị Dung", Role.COLLABORATOR, "18115-02"),
                ("Hoàng Văn Em", Role.COLLABORATOR, "18115-03"),
            ],
            1,
        )
    ]
    store.groups.save(GroupBinding("telegram:bot:-100200", "18115", "Cán bộ dân số", 2, T0))
    store.groups.save(GroupBinding("zalo:main:g77", "18115-01", "Thôn 1", 2, T0))
    directive = store.directives.add(
        author=2, targets=("18115",), text="Họp giao ban thứ Hai", created_at=T0
    )
    job = store.outbox.add_job(
        kind="directive", created_at=T0, total=3, requested_by=2, ref=f"directive:{directive.id}"
    )
    store.directives.save(replace(directive, job_id=job.id))
    items = store.outbox.add(
        [
            OutboxItem(
                0,
                job.id,
                f"telegram:bot:{1000 + p.id}",
                "private",
                directive.text,
                OutboxStatus.PENDING,
                T0,
                T0,
                recipient=p.id,
            )
            for p in people[2:]
        ]
    )
    store.outbox.save(replace(items[0], status=OutboxStatus.SENT, sent_at=T0, attempts=1))
    n = 0
    for period in ("2026-10", "2026-11"):
        for type_ in ("danso", "kehoach"):
            for village in VILLAGES:
                n += 1
                store.reports.add(report(n, type_, period, village, 3 + n % 3))
    store.checkpoint()
    # A few more commits, left in the journal: two corrections and one more send.
    first = report(1, "danso", "2026-10", VILLAGES[0], 3)
    store.reports.add(replace(first, version=2, values={"sinh": 5, "chet": 0}))
    store.reports.add(replace(first, version=3, values={"sinh": 6, "chet": 0}))
    store.outbox.save(replace(items[1], status=OutboxStatus.SENT, sent_at=T0, attempts=1))
    store.flush()
    # Let go without the closing checkpoint, as a crash would.
    store._journal.close()  # type: ignore[union-attr]
    store._lock.release()
    (TARGET / "store.lock").unlink()
    print(f"wrote {TARGET}: {n + 2} report versions, schema version {SCHEMA_VERSION}")


if __name__ == "__main__":
    main()
