"""Personal data across tables: what one person left in the store, erasing it, and the
retention purge's scrubbing. Numbers (report values, counts, ids) always stay."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.core.messages import UserRef
from bot.core.models import (
    JobStatus,
    OutboxStatus,
    Person,
    Question,
    RegistrationStatus,
    Report,
)
from bot.store.engine.codec import encode
from bot.store.engine.tables import ReportTable, Table
from bot.store.engine.transaction import Core

ERASED_NAME = "(đã xóa)"
BACKLOG = (OutboxStatus.PENDING, OutboxStatus.INFLIGHT, OutboxStatus.HELD)


def private_chat_key(account_key: str) -> str:
    """The stored key of the private chat with an account (its id is the user's id)."""
    user = UserRef.parse(account_key)
    return f"{user.platform}:{user.bot}:{user.id}"


class PersonalDataRepo:
    def __init__(self, core: Core) -> None:
        self._core = core

    def _rows(self, name: str) -> list[Any]:
        table = self._core.tables.get(name)
        return list(cast(Table, table).rows.values()) if table is not None else []

    def _reports(self) -> ReportTable:
        return cast(ReportTable, self._core.tables["reports"])

    def _versions(self, pred: Any) -> Iterator[Report]:
        """Report versions whose index row passes `pred` (records loaded only for those)."""
        table = self._reports()
        for report_id in list(table.index):
            for row in table.index.rows(report_id):
                if pred(row):
                    yield cast(Report, table.get((report_id, row.version)))

    # -- one person ---------------------------------------------------------------------------

    def _keys(self, person: Person | None) -> tuple[set[str], set[str]]:
        accounts = {a.key for a in person.accounts} if person else set()
        return accounts, {private_chat_key(k) for k in accounts}

    def about(self, person_id: int) -> dict[str, Any]:
        person = cast(Person | None, self._core.get("people", person_id))
        accounts, chats = self._keys(person)
        who = f"person:{person_id}"

        def pick(name: str, pred: Any) -> list[Any]:
            return [encode(r) for r in self._rows(name) if pred(r)]

        return {
            "person": encode(person) if person else None,
            "registrations": pick("registrations", lambda r: r.person_id == person_id),
            "reports": [encode(r) for r in self._versions(lambda row: row.reporter == person_id)],
            "questions": pick("questions", lambda q: person_id in (q.asker, q.answered_by)),
            "acks": pick("acks", lambda a: a.person_id == person_id),
            "survey_answers": pick(
                "survey_answers", lambda a: a.person_id == person_id or a.voter == who
            ),
            "outbox": pick("outbox", lambda i: i.recipient == person_id or i.chat_key in chats),
            "sightings": pick("sightings", lambda s: s.sender in accounts),
            "prompts": pick("prompts", lambda p: p.user_key in accounts),
            "link_codes": pick("link_codes", lambda c: c.person_id == person_id),
            "absences": pick("absences", lambda a: person_id in (a.person_id, a.set_by)),
            "report_returns": pick(
                "report_returns", lambda m: person_id in (m.collaborator, m.officer)
            ),
            "period_checks": pick("period_checks", lambda c: c.officer == person_id),
            "invites": pick("invites", lambda i: getattr(i, "person_id", None) == person_id),
            "audit": pick("audit", lambda e: who in (e.who, e.target)),
            "access_log": pick("access_log", lambda e: e.subject == who),
        }

    def erase(
        self, person_id: int, *, at: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> dict[str, Any]:
        person = cast(Person | None, self._core.get("people", person_id))
        if person is None:
            msg = f"no person {person_id}"
            raise LookupError(msg)
        accounts, chats = self._keys(person)
        who = f"person:{person_id}"
        put = self._core.put
        counts: dict[str, Any] = {}
        files: list[str] = []
        with self._core.atomic():
            put("people", person_id, replace(
                person, name=ERASED_NAME, accounts=(), roles=(), active=False, language="",
                phone="", consent_at=None, consent_version=0, erased_at=at,
            ))  # fmt: skip
            gone = [r for r in self._rows("registrations") if r.person_id == person_id
                    and r.status is RegistrationStatus.PENDING]  # fmt: skip
            for reg in gone:
                put("registrations", reg.id, None)
            counts["registrations"] = len(gone)
            counts["link_codes"] = self._drop("link_codes", lambda c: c.person_id == person_id,
                                              lambda c: c.code)  # fmt: skip
            counts["invites"] = self._drop(
                "invites", lambda i: i.person_id == person_id, lambda i: i.code
            )
            counts["absences"] = self._drop(
                "absences", lambda a: a.person_id == person_id, lambda a: a.id
            )
            counts["prompts"] = self._drop(
                "prompts", lambda p: p.user_key in accounts, lambda p: (p.chat_key, p.user_key)
            )
            counts["inbox"] = self._drop(
                "inbox", lambda e: e.incoming.sender.key in accounts, lambda e: e.key
            )
            counts["outbox"] = self._erase_outbox(person_id, chats)
            jobs = [j for j in self._rows("outbox_jobs") if j.requested_by == person_id
                    and j.report_chat and j.status is not JobStatus.RUNNING]  # fmt: skip
            for job in jobs:
                put("outbox_jobs", job.id, replace(job, report_chat="", progress_message_id=""))
            counts["reports"] = self._erase_reports(person_id, text_fields, files)
            counts["questions"] = self._erase_questions(person_id, at)
            # What an officer typed when returning a report may name the collaborator.
            returns = [m for m in self._rows("report_returns") if m.reason
                       and person_id in (m.collaborator, m.officer)]  # fmt: skip
            for mark in returns:
                put("report_returns", mark.number, replace(mark, reason=""))
            counts["report_returns"] = len(returns)
            counts["acks"] = self._blank_chat("acks", lambda a: a.person_id == person_id,
                                              lambda a: (a.directive_id, a.person_id))  # fmt: skip
            counts["survey_answers"] = self._blank_chat(
                "survey_answers", lambda a: a.person_id == person_id or a.voter == who,
                lambda a: (a.survey_id, a.voter),
            )  # fmt: skip
            sightings = [s for s in self._rows("sightings") if s.sender in accounts]
            for s in sightings:
                put("sightings", s.id, replace(s, sender="", sender_name="", text=""))
            counts["sightings"] = len(sightings)
            counts["access_log"] = self._drop(
                "access_log", lambda e: e.subject == who, lambda e: e.id
            )
        counts["files"] = files
        return counts

    def _drop(self, name: str, pred: Any, key: Any) -> int:
        gone = [r for r in self._rows(name) if pred(r)]
        for record in gone:
            self._core.put(name, key(record), None)
        return len(gone)

    def _blank_chat(self, name: str, pred: Any, key: Any) -> int:
        changed = [r for r in self._rows(name) if pred(r) and r.chat_key]
        for record in changed:
            self._core.put(name, key(record), replace(record, chat_key=""))
        return len(changed)

    def _erase_outbox(self, person_id: int, chats: set[str]) -> int:
        changed = 0
        for item in self._rows("outbox"):
            if item.recipient != person_id and item.chat_key not in chats:
                continue
            if item.status in BACKLOG:
                self._core.put("outbox", item.id, None)  # never sent: dropped
            else:
                self._core.put("outbox", item.id, replace(item, text="", file=None, buttons=()))
            changed += 1
        return changed

    def _erase_reports(
        self, person_id: int, text_fields: Mapping[str, Collection[str]], files: list[str]
    ) -> int:
        changed = 0
        for report in list(self._versions(lambda row: row.reporter == person_id)):
            scrubbed = _scrubbed(report, text_fields)
            scrubbed = replace(scrubbed, source_message="")
            if report.photo:
                files.append(report.photo)
            if scrubbed != report:
                self._core.put("reports", (report.id, report.version), scrubbed)
                changed += 1
        return changed

    def _erase_questions(self, person_id: int, at: datetime) -> int:
        changed = 0
        for q in cast(list[Question], self._rows("questions")):
            if q.asker != person_id:
                continue
            # Closed, so nobody answers into a chat that no longer has an owner.
            done = q.answered_at or at
            self._core.put("questions", q.id, replace(
                q, text="", answer="", chat_key="", answered_at=done
            ))  # fmt: skip
            changed += 1
        return changed

    # -- retention ----------------------------------------------------------------------------

    def scrub_reports(
        self, *, since: float, before: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> tuple[int, list[str]]:
        cut = before.timestamp()
        changed, photos = 0, []
        with self._core.atomic():
            for report in list(self._versions(lambda row: since <= row.received < cut)):
                scrubbed = _scrubbed(report, text_fields)
                if scrubbed != report:
                    if report.photo:
                        photos.append(report.photo)
                    self._core.put("reports", (report.id, report.version), scrubbed)
                    changed += 1
        return changed, photos

    def scrub_questions(self, *, before: datetime) -> int:
        old = [q for q in self._rows("questions") if q.asked_at < before and (q.text or q.answer)]
        with self._core.atomic():
            for q in old:
                self._core.put("questions", q.id, replace(q, text="", answer=""))
        return len(old)

    def scrub_return_reasons(self, *, before: datetime) -> int:
        old = [m for m in self._rows("report_returns") if m.returned_at < before and m.reason]
        with self._core.atomic():
            for mark in old:
                self._core.put("report_returns", mark.number, replace(mark, reason=""))
        return len(old)

    def purge_inbox(self, *, before: datetime) -> int:
        with self._core.atomic():
            return self._drop("inbox", lambda e: e.at < before, lambda e: e.key)

    def scrub_outbox(self, *, before: datetime) -> int:
        old = [i for i in self._rows("outbox")
               if i.created_at < before and i.status not in BACKLOG and i.text]  # fmt: skip
        with self._core.atomic():
            for item in old:
                self._core.put("outbox", item.id, replace(item, text=""))
        return len(old)

    def scrub_sightings(self, *, before: datetime) -> int:
        old = [s for s in self._rows("sightings") if s.at < before and (s.text or s.sender)]
        with self._core.atomic():
            for s in old:
                self._core.put("sightings", s.id, replace(s, sender="", sender_name="", text=""))
        return len(old)


def _scrubbed(report: Report, text_fields: Mapping[str, Collection[str]]) -> Report:
    """The report with its free-text fields blanked and its photo dropped; numbers stay."""
    fields = text_fields.get(report.type, ())
    values = {
        k: ("" if k in fields and isinstance(v, str) else v) for k, v in report.values.items()
    }
    return replace(report, values=values, photo="")
