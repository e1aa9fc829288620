"""A person's data on every backend: what `about` finds, what `erase` blanks or drops, and the
retention purge's scrubbing; the database backend finds them with queries, the others in
memory, and they must agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.admin_records import AccessEntry, AuditEntry
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import (
    Account,
    Acknowledgement,
    OutboxItem,
    OutboxStatus,
    Question,
    Report,
    RumourSighting,
    SurveyAnswer,
)
from bot.core.review_records import ReportReturn
from bot.store import Store
from tests.store.harness import KINDS, Harness

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)
LATER = T0 + timedelta(days=40)
TEXT = {"danso": ("ghi_chu",)}


def event(n: int, sender: str) -> Incoming:
    return Incoming(
        update_id=str(n), kind=UpdateKind.MESSAGE,
        chat=ChatRef("telegram", "", sender, ChatKind.PRIVATE),
        sender=UserRef("telegram", "", sender), sender_name="x", text="xin chào", date=T0,
    )  # fmt: skip


def outbox_item(chat_key: str, **changes: object) -> OutboxItem:
    base = OutboxItem(
        id=0, job_id=1, chat_key=chat_key, chat_kind="private", text="Riêng cho chị Lan",
        status=OutboxStatus.SENT, created_at=T0, next_attempt_at=T0,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def fill(s: Store) -> tuple[int, int]:
    """Lan (telegram:7) and Minh (telegram:8), each with a trail across the tables."""
    lan = s.people.add(name="Chị Lan", accounts=(Account("telegram:7"),), created_at=T0).id
    minh = s.people.add(name="Anh Minh", accounts=(Account("telegram:8"),), created_at=T0).id
    for who, n in ((lan, 1), (minh, 2)):
        values = {"sinh": n, "ghi_chu": f"nhà số {n}"}
        s.reports.add(Report(f"r{n}", "danso", "thon-1", "2026-11", values, who, "telegram",
                             T0, photo=f"photo-{n}"))  # fmt: skip
        s.questions.add(Question(0, who, "thon-1", f"Hỏi {n}?", T0, f"telegram::{6 + n}"))
        s.acks.add(Acknowledgement(1, who, T0, "button", "telegram::-100"))
        s.survey_answers.put(SurveyAnswer(1, f"person:{who}", 0, "thon-1", T0, "poll", who,
                                          "telegram::-100"))  # fmt: skip
        s.sightings.add(RumourSighting(0, 1, "telegram::-100", "thon-1", f"telegram:{6 + n}",
                                       "x", "tin đồn", T0))  # fmt: skip
        s.audit.add(AuditEntry(0, T0, "role.grant", "cli:admin", "cli", f"person:{who}"))
        s.access_log.add(AccessEntry(0, T0, "cli:admin", "people.export", f"person:{who}"))
        s.report_returns.save(ReportReturn(n, f"r{n}", "danso", "thon-1", "2026-11", 1, 99,
                                           who, "Thiếu số", T0))  # fmt: skip
        s.inbound.receive(f"telegram::message:{n}", event(n, str(6 + n)), at=T0)
    job = s.outbox.add_job(kind="directive", created_at=T0, total=3)
    s.outbox.add([
        outbox_item("telegram::7", job_id=job.id),
        outbox_item("telegram::-100", job_id=job.id, recipient=lan),
        outbox_item("telegram::8", job_id=job.id, status=OutboxStatus.PENDING),
    ])  # fmt: skip
    return lan, minh


@pytest.mark.parametrize("harness", KINDS, indirect=True)
class TestPersonalContract:
    def test_about_finds_everything_of_one_person(self, harness: Harness) -> None:
        s = harness.store
        lan, minh = fill(s)
        s = harness.reopen()
        data = s.personal.about(lan)
        assert data["person"]["name"] == "Chị Lan"
        assert [r["id"] for r in data["reports"]] == ["r1"]
        assert [q["asker"] for q in data["questions"]] == [lan]
        assert [a["person_id"] for a in data["acks"]] == [lan]
        assert [a["voter"] for a in data["survey_answers"]] == [f"person:{lan}"]
        assert [i["id"] for i in data["outbox"]] == [1, 2], "her chat's and the one for her"
        assert [x["sender"] for x in data["sightings"]] == ["telegram:7"]
        assert [e["target"] for e in data["audit"]] == [f"person:{lan}"]
        assert [e["subject"] for e in data["access_log"]] == [f"person:{lan}"]
        assert [m["number"] for m in data["report_returns"]] == [1]
        assert s.personal.about(minh)["outbox"][0]["chat_key"] == "telegram::8"

    def test_erase_blanks_one_person_and_keeps_the_numbers(self, harness: Harness) -> None:
        s = harness.store
        lan, minh = fill(s)
        counts = s.personal.erase(lan, at=LATER, text_fields=TEXT)
        assert counts["files"] == ["photo-1"]
        assert (counts["outbox"], counts["inbox"], counts["acks"], counts["sightings"]) == (
            2, 1, 1, 1,
        )  # fmt: skip
        s = harness.reopen()
        person = s.people.get(lan)
        assert (
            person is not None
            and person.accounts == ()
            and s.people.by_account("telegram:7") is None
        )
        report = s.reports.get("r1")
        assert report is not None and report.values == {"sinh": 1, "ghi_chu": ""}
        assert s.reports.get("r2").values["ghi_chu"] == "nhà số 2"  # type: ignore[union-attr]
        assert [e.update_id for e in s.inbound.waiting()] == ["2"]
        assert s.acks.get(1, lan).chat_key == "" and s.acks.get(1, minh).chat_key != ""  # type: ignore[union-attr]
        assert s.outbox.get(1).text == "" and s.outbox.get(3).text != ""  # type: ignore[union-attr]
        assert s.access_log.about(f"person:{lan}") == []
        assert s.report_returns.get(1).reason == ""  # type: ignore[union-attr]
        assert s.personal.about(minh)["sightings"][0]["text"] == "tin đồn"

    def test_retention_scrubs_what_is_old(self, harness: Harness) -> None:
        s = harness.store
        fill(s)
        assert s.personal.scrub_reports(since=float("-inf"), before=T0, text_fields=TEXT) == (
            0,
            [],
        )
        changed, photos = s.personal.scrub_reports(
            since=float("-inf"), before=LATER, text_fields=TEXT
        )
        assert (changed, sorted(photos)) == (2, ["photo-1", "photo-2"])
        assert s.personal.scrub_questions(before=LATER) == 2
        assert s.personal.scrub_return_reasons(before=LATER) == 2
        assert s.personal.scrub_outbox(before=LATER) == 2, "the pending one keeps its text"
        assert s.personal.scrub_sightings(before=LATER) == 2
        assert s.personal.purge_inbox(before=T0) == 0
        assert s.personal.purge_inbox(before=LATER) == 2
        s = harness.reopen()
        assert s.inbound.waiting() == []
        assert [q.text for q in s.questions.all()] == ["", ""]
        assert s.reports.get("r1").photo == ""  # type: ignore[union-attr]
        assert s.personal.scrub_questions(before=LATER) == 0, "once is enough"


@pytest.mark.parametrize("harness", KINDS, indirect=True)
def test_the_audit_trail_by_period_and_newest(harness: Harness) -> None:
    """between() is [start, end) by instant whatever the zone, recent() the last n by id."""
    s = harness.store
    for hours in (0, 5, 30, 50):
        s.audit.add(AuditEntry(0, T0 + timedelta(hours=hours), "x", "cli:a", "cli"))
    s = harness.reopen()
    utc_start = (T0 + timedelta(hours=5)).astimezone(UTC)
    assert [e.id for e in s.audit.between(utc_start, T0 + timedelta(hours=50))] == [2, 3]
    assert [e.id for e in s.audit.recent(2)] == [3, 4]
    assert s.audit.recent(0) == []
    assert s.audit.remove_before(T0 + timedelta(hours=6)) == 2
    assert [e.id for e in s.audit.recent(10)] == [3, 4]
