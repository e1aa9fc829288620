"""`python -m bot store copy --to postgres`: an embedded data directory with every kind of
record goes into an empty PostgreSQL database in one go; the PostgreSQL store then answers
what the embedded one answered. A second copy, a running bot, a missing DATABASE_URL are
refused with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli.store_copy import run_store_copy
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import (
    Account,
    Acknowledgement,
    OutboxItem,
    OutboxStatus,
    Reminder,
    ReminderKind,
    Report,
)
from bot.store import Store, open_store
from tests.store.harness import empty_database
from tests.support import pg

ROOT = Path(__file__).resolve().parents[2]
ICT = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=ICT)
KIND = ReminderKind.DAILY


@pytest.fixture(scope="module")
def module_db() -> Iterator[str]:
    url = pg.create_database("bot_copy")
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture
def db(module_db: str) -> str:
    empty_database(module_db)
    return module_db


def env(data: Path, url: str | None) -> dict[str, str]:
    found = {"BOT_DATA_DIR": str(data)}
    return found | ({"DATABASE_URL": url} if url else {})


def copy(data: Path, url: str | None) -> int:
    return run_store_copy(to="postgres", config_path=str(ROOT / "config.yaml"),
                          environ=env(data, url))  # fmt: skip


def event(n: int) -> Incoming:
    return Incoming(
        update_id=str(n), kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", "-100", ChatKind.GROUP), sender=UserRef("telegram", "", "7"),
        sender_name="Chị Lan", text=f"/bc sinh {n}", date=T0,
    )  # fmt: skip


def fill(s: Store) -> None:
    """A bit of everything a commune's store holds after a few weeks."""
    lan = s.people.add(name="Chị Lan", accounts=(Account("telegram:7"),), created_at=T0)
    s.people.add(name="Anh Minh", accounts=(Account("zalo:z1:9"), Account("telegram:8")),
                 created_at=T0)  # fmt: skip
    for n in range(1, 6):
        at = T0 + timedelta(hours=n)
        s.reports.add(Report(f"danso:thon-{n}:2026-11", "danso", f"thon-{n}", "2026-11",
                             {"sinh": n}, lan.id, "telegram", at))  # fmt: skip
    first = s.reports.get("danso:thon-1:2026-11")
    assert first is not None
    s.reports.add(replace(first, version=2, values={"sinh": 9}, number=0))
    s.reports.add(replace(first, id="danso:thon-1:2026-10", period="2026-10", number=0))
    d = s.directives.add(author=lan.id, targets=("xa-1",), text="Họp 8h", created_at=T0)
    s.acks.add(Acknowledgement(d.id, lan.id, T0, "button", "telegram::-100"))
    job = s.outbox.add_job(kind="directive", created_at=T0, total=3, ref=str(d.id))
    items = s.outbox.add([
        OutboxItem(id=0, job_id=job.id, chat_key=f"telegram::-10{n}", chat_kind="group",
                   text="Họp 8h", status=OutboxStatus.PENDING, created_at=T0 + timedelta(n),
                   next_attempt_at=T0)
        for n in range(3)
    ])  # fmt: skip
    s.outbox.save(replace(items[0], status=OutboxStatus.SENT, sent_at=T0))
    s.quota.add("z1", "2026-11", 4)
    s.reminders.add(Reminder(id=0, kind=KIND, at="08:00", text="Nộp báo cáo", areas=("xa-1",),
                             created_by=lan.id))  # fmt: skip
    s.reminders.claim_firing(1, T0)
    s.inbound.mark("telegram::message:1", at=T0)
    s.inbound.receive("telegram::message:2", event(2), at=T0)
    s.meta.set("last_digest", {"at": "2026-11-02"})


def test_a_data_directory_is_copied_whole(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    source = open_store(data)
    fill(source)
    expected = {
        "count": source.reports.count(),
        "in_period": source.reports.in_period("danso", "2026-11"),
        "by_number": source.reports.by_number(1),
        "owner": source.people.by_account("telegram:8"),
        "backlog": source.outbox.backlog(),
        "acks": source.acks.for_directive(1),
        "waiting": source.inbound.waiting(),
    }
    source.close()
    assert copy(data, db) == 0
    out = capsys.readouterr().out
    assert "every count matches" in out and "reports" in out
    s = open_store(backend="postgres", url=db)
    try:
        assert s.reports.count() == expected["count"] == 6
        assert s.reports.in_period("danso", "2026-11") == expected["in_period"]
        assert s.reports.by_number(1) == expected["by_number"]
        assert s.reports.by_number(1).values == {"sinh": 9}  # type: ignore[union-attr]
        assert s.people.by_account("telegram:8") == expected["owner"]
        assert s.outbox.backlog() == expected["backlog"] == (2, T0 + timedelta(1))
        assert s.acks.for_directive(1) == expected["acks"]
        assert s.inbound.waiting() == expected["waiting"] == [event(2)]
        assert s.inbound.seen("telegram::message:1")
        assert s.inbound.receive("telegram::message:2", event(2), at=T0) is False
        assert s.quota.used("z1", "2026-11") == 4
        assert s.reminders.claim_firing(1, T0) is False
        assert s.meta.get("last_digest") == {"at": "2026-11-02"}
        # Counters go on from where the embedded store was.
        assert s.people.add(name="Mới", created_at=T0).id == 3
        assert s.reports.add(Report("new", "danso", "thon-9", "2026-11", {}, 1, "telegram",
                                    T0)).number == 7  # fmt: skip
        assert [i.id for i in s.outbox.add([replace(i, id=0) for i in s.outbox.for_job(1)])] == [
            4, 5, 6,
        ]  # fmt: skip
        actions = [e.action for e in s.audit.recent(5)]
        assert actions[-1] == "store.copy"
    finally:
        s.close()
    assert copy(data, db) == 2, "a database that holds records is refused"
    assert "not copying" in capsys.readouterr().err


def test_refused_while_the_bot_holds_the_folder(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    running = open_store(data)  # as the running bot holds it
    try:
        running.reports.add(Report("r", "danso", "thon-1", "2026-11", {}, 1, "telegram", T0))
        assert copy(data, db) == 3
        assert "in use" in capsys.readouterr().err
    finally:
        running.close()
    s = open_store(backend="postgres", url=db)
    try:
        assert s.reports.count() == 0, "nothing was written"
    finally:
        s.close()


def test_without_database_url_nothing_happens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    open_store(data).close()
    assert copy(data, None) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_the_command_line_reaches_it(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m bot store copy --to postgres` through the real parser and dispatch."""
    data = tmp_path / "data"
    s = open_store(data)
    s.people.add(name="A", created_at=T0)
    s.close()
    for name, value in env(data, db).items():
        monkeypatch.setenv(name, value)
    assert main(["store", "copy", "--to", "postgres", "--config", str(ROOT / "config.yaml")]) == 0
    again = open_store(backend="postgres", url=db)
    try:
        assert [p.name for p in again.people.all()] == ["A"]
    finally:
        again.close()


def test_the_data_directory_is_copied_when_the_config_says_postgres_already(
    tmp_path: Path, db: str
) -> None:
    """An admin who set `store: {backend: postgres}` before copying still copies the data
    directory (not the empty database onto itself)."""
    data = tmp_path / "data"
    s = open_store(data)
    s.people.add(name="B", created_at=T0)
    s.close()
    config = tmp_path / "config.yaml"
    config.write_text(
        (ROOT / "config.yaml").read_text(encoding="utf-8") + "\nstore: {backend: postgres}\n",
        encoding="utf-8",
    )
    assert run_store_copy(to="postgres", config_path=str(config), environ=env(data, db)) == 0
    target = open_store(backend="postgres", url=db)
    try:
        assert [p.name for p in target.people.all()] == ["B"]
    finally:
        target.close()
