"""The retention purge touches only what is past its kind's retention (records on both sides
of every cut-off), keeps reports' numbers, and notes what it removed in the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config.privacy import PrivacySection, RetentionSection
from bot.core.admin_records import AccessEntry, AuditEntry
from bot.core.clock import ManualClock
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import OutboxItem, OutboxStatus, Question, Report, RumourSighting
from bot.core.review_records import ReportReturn
from bot.delivery.file_store import FileStore
from bot.features.audit.log import AuditLog
from bot.features.privacy.purge import WATERMARK, RetentionPurge
from bot.store.memory import MemoryStore

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
DAYS = {"report_text": 30, "questions": 10, "inbox": 5, "outbox": 20, "sightings": 15,
        "audit": 50, "access_log": 40, "files": 60}  # fmt: skip


def _report(n: int, at: datetime, photo: str) -> Report:
    return Report(
        id=f"r{n}", type="danso", area="18133-01", period="2026-10",
        values={"sinh": 3, "ghi_chu": "bà Nguyễn Thị A, thôn 2"}, reporter=7,
        platform="telegram", received_at=at, photo=photo,
    )  # fmt: skip


def _incoming(n: int, at: datetime) -> Incoming:
    return Incoming(
        update_id=str(n), kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", "42", ChatKind.PRIVATE), sender=UserRef("telegram", "", "42"),
        sender_name="Hoa", text="/hoi chị B có thai", date=at,
    )  # fmt: skip


def test_purge_removes_only_what_is_past_its_retention(tmp_path: Path) -> None:
    clock = ManualClock(NOW - timedelta(days=70))
    store, files = MemoryStore(), FileStore(tmp_path / "files", clock=clock)
    old_file = files.put(b"x", name="a.txt", owner=7)  # 70 days old: past 60
    clock.set(NOW - timedelta(days=31))
    old_photo = files.put(b"jpg", name="p.jpg", owner=7)
    clock.set(NOW - timedelta(days=29))
    new_photo = files.put(b"jpg", name="q.jpg", owner=7)
    clock.set(NOW)
    job = store.outbox.add_job(kind="reply", created_at=NOW, total=2)
    for side, delta in (("old", 1), ("new", -1)):

        def ago(kind: str, delta: int = delta) -> datetime:
            return NOW - timedelta(days=DAYS[kind] + delta)

        n = 1 if side == "old" else 2
        store.reports.add(_report(n, ago("report_text"), old_photo.id if n == 1 else new_photo.id))
        store.questions.add(Question(id=0, asker=7, area="18133-01", text="chị B?",
                                     asked_at=ago("questions"), chat_key="telegram::42",
                                     answer="ở trạm"))  # fmt: skip
        store.inbound.receive(f"tg:{n}", _incoming(n, ago("inbox")), at=ago("inbox"))
        sent = OutboxItem(id=0, job_id=job.id, chat_key="telegram::42", chat_kind="private",
                          text="Chào Hoa", status=OutboxStatus.SENT, created_at=ago("outbox"),
                          next_attempt_at=NOW)  # fmt: skip
        store.outbox.add([sent])
        store.sightings.add(RumourSighting(id=0, clarification=1, chat_key="telegram::-5",
                                           area="18133", sender="telegram:42", sender_name="Hoa",
                                           text="tin đồn", at=ago("sightings")))  # fmt: skip
        store.audit.add(AuditEntry(id=0, at=ago("audit"), action="role.grant", who="cli:x",
                                   where="cli"))  # fmt: skip
        store.access_log.add(AccessEntry(id=0, at=ago("access_log"), who="cli:x",
                                         what="people.export", subject="person:7"))  # fmt: skip
    settings = PrivacySection(retention_days=999, retention=RetentionSection(**DAYS))
    purge = RetentionPurge(
        store=store, clock=clock, files=files, settings=settings,
        text_fields={"danso": frozenset({"ghi_chu"})}, kept_files=set,
        audit=AuditLog(store=store, clock=clock),
    )  # fmt: skip

    removed = purge.run_once()

    assert removed == {"report_text": 1, "questions": 1, "return_reasons": 0, "inbox": 1,
                       "outbox": 1, "sightings": 1, "audit": 1, "access_log": 1,
                       "files": 2}  # fmt: skip
    old, new = store.reports.get("r1"), store.reports.get("r2")
    assert old is not None and new is not None
    assert old.values == {"sinh": 3, "ghi_chu": ""} and old.photo == ""
    assert new.values["ghi_chu"] == "bà Nguyễn Thị A, thôn 2" and new.photo == new_photo.id
    assert files.get(old_photo.id) is None and files.get(old_file.id) is None
    assert files.get(new_photo.id) is not None
    assert [(q.text, q.answer) for q in store.questions.all()] == [("", ""), ("chị B?", "ở trạm")]
    assert [i.update_id for i in store.inbound.waiting()] == ["2"]
    assert [i.text for i in store.outbox.for_job(job.id)] == ["", "Chào Hoa"]
    seen = store.sightings.since(NOW - timedelta(days=99))
    assert [(s.sender, s.text) for s in seen] == [("", ""), ("telegram:42", "tin đồn")]
    assert [e.action for e in store.audit.recent(10)] == ["role.grant", "privacy.purge"]
    assert [e.id for e in store.access_log.all()] == [2]
    assert store.meta.get(WATERMARK) == (NOW - timedelta(days=30)).timestamp()

    # Run again: nothing left past its time, so nothing changes and nothing is recorded.
    assert not any(purge.run_once().values())
    assert len(store.audit.recent(10)) == 2


def _returned(number: int, at: datetime, *, officer: int, collaborator: int) -> ReportReturn:
    return ReportReturn(
        number=number, report_id=f"r{number}", type="danso", area="18133-01", period="2026-10",
        version=1, officer=officer, collaborator=collaborator,
        reason="chị Nguyễn Thị B sinh ở trạm, không phải ở nhà", returned_at=at,
    )  # fmt: skip


def test_an_officers_reason_for_returning_a_report_is_purged_and_erased() -> None:
    """The reason typed with /tralai is free text about a report (it may name people): it goes
    with the reports' text at `report_text`, and when either person is erased."""
    store, clock = MemoryStore(), ManualClock(NOW)
    cut = NOW - timedelta(days=DAYS["report_text"])
    store.report_returns.save(_returned(1, cut - timedelta(days=1), officer=3, collaborator=7))
    store.report_returns.save(_returned(2, cut + timedelta(days=1), officer=3, collaborator=7))
    store.report_returns.save(_returned(3, cut + timedelta(days=1), officer=3, collaborator=8))
    purge = RetentionPurge(
        store=store, clock=clock, files=FileStore(Path("/nonexistent"), clock=clock),
        settings=PrivacySection(retention_days=999, retention=RetentionSection(**DAYS)),
        text_fields={}, kept_files=set, audit=AuditLog(store=store, clock=clock),
    )  # fmt: skip
    assert purge.run_once()["return_reasons"] == 1

    def reasons() -> list[str]:
        return [store.report_returns.get(n).reason for n in (1, 2, 3)]  # type: ignore[union-attr]

    kept = "chị Nguyễn Thị B sinh ở trạm, không phải ở nhà"
    assert reasons() == ["", kept, kept]
    hoa = store.people.add(name="Chị Hoa", created_at=NOW)  # person 1 … up to 7
    for n in range(2, 8):
        hoa = store.people.add(name=f"Người {n}", created_at=NOW)
    assert hoa.id == 7
    counts = store.personal.erase(7, at=NOW, text_fields={})
    assert counts["report_returns"] == 1 and reasons() == ["", "", kept]
