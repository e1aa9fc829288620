"""Personal data across tables: what one person left in the store, erasing it, and the
retention purge's scrubbing. Numbers (report values, counts, ids) always stay.

The rules are written once here, over a few finders (`_find`, `_before`, `_report_versions`,
`_drop_inbox`); the memory and embedded backends answer them from the records in memory, a
database backend replaces them by queries over its indexes (bot/store/postgres/personal.py).
"""

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

# What to find, as fields of the stored (encoded) record: a record matches a pattern when each
# named field has that value (a dict value matches the fields of a nested record).
Pattern = dict[str, Any]
_MISSING = object()


def private_chat_key(account_key: str) -> str:
    """The stored key of the private chat with an account (its id is the user's id)."""
    user = UserRef.parse(account_key)
    return f"{user.platform}:{user.bot}:{user.id}"


def sender_pattern(account_key: str) -> Pattern:
    """The pattern of an inbox event sent from this account."""
    user = UserRef.parse(account_key)
    return {"incoming": {"sender": {"platform": user.platform, "bot": user.bot, "id": user.id}}}


def matches(record: Any, pattern: Pattern) -> bool:
    """Whether the record's fields have the pattern's (encoded) values."""
    for field, want in pattern.items():
        have = getattr(record, field, _MISSING)
        if have is _MISSING:
            return False
        if isinstance(want, dict):
            if not matches(have, want):
                return False
        elif encode(have) != want:
            return False
    return True


class PersonalDataRepo:
    def __init__(self, core: Core) -> None:
        self._core = core

    # -- finders (a database backend answers these with queries) ------------------------------

    def _rows(self, name: str) -> list[Any]:
        table = self._core.tables.get(name)
        return list(cast(Table, table).rows.values()) if table is not None else []

    def _find(self, name: str, *patterns: Pattern) -> list[Any]:
        """The records of `name` that match any of `patterns` (no pattern: none)."""
        if not patterns:
            return []
        return [r for r in self._rows(name) if any(matches(r, p) for p in patterns)]

    def _before(self, name: str, field: str, before: datetime) -> list[Any]:
        """The records of `name` whose time `field` is before `before`."""
        return [r for r in self._rows(name) if getattr(r, field) < before]

    def _report_versions(
        self, *, reporter: int | None = None, since: float = 0.0, before: datetime | None = None
    ) -> list[Report]:
        """Every report version by `reporter`; or, without one, received in [since, before)
        (`since` a POSIX timestamp)."""
        if reporter is not None:
            return list(self._versions(lambda row: row.reporter == reporter))
        cut = before.timestamp() if before is not None else float("inf")
        return list(self._versions(lambda row: since <= row.received < cut))

    def _versions(self, pred: Any) -> Iterator[Report]:
        """Report versions whose index row passes `pred` (records loaded only for those)."""
        table = cast(ReportTable, self._core.tables["reports"])
        for report_id in list(table.index):
            for row in table.index.rows(report_id):
                if pred(row):
                    yield cast(Report, table.get((report_id, row.version)))

    def _drop_inbox(self, *, senders: Collection[str] = (), before: datetime | None = None) -> int:
        """Drop the events waiting in the inbox sent from `senders` (account keys), or received
        before `before`; how many went."""
        if before is not None:
            gone = self._before("inbox", "at", before)
        else:
            gone = self._find("inbox", *(sender_pattern(k) for k in senders))
        for entry in gone:
            self._core.put("inbox", entry.key, None)
        return len(gone)

    # -- one person ---------------------------------------------------------------------------

    def _keys(self, person: Person | None) -> tuple[set[str], set[str]]:
        accounts = {a.key for a in person.accounts} if person else set()
        return accounts, {private_chat_key(k) for k in accounts}

    def about(self, person_id: int) -> dict[str, Any]:
        person = cast(Person | None, self._core.get("people", person_id))
        accounts, chats = self._keys(person)
        who = f"person:{person_id}"
        me = {"person_id": person_id}

        def pick(name: str, *patterns: Pattern) -> list[Any]:
            return [encode(r) for r in sorted(self._find(name, *patterns), key=_order)]

        return {
            "person": encode(person) if person else None,
            "registrations": pick("registrations", me),
            "reports": [encode(r) for r in self._report_versions(reporter=person_id)],
            "questions": pick("questions", {"asker": person_id}, {"answered_by": person_id}),
            "acks": pick("acks", me),
            "survey_answers": pick("survey_answers", me, {"voter": who}),
            "outbox": pick(
                "outbox", {"recipient": person_id}, *({"chat_key": c} for c in sorted(chats))
            ),
            "sightings": pick("sightings", *({"sender": a} for a in sorted(accounts))),
            "prompts": pick("prompts", *({"user_key": a} for a in sorted(accounts))),
            "link_codes": pick("link_codes", me),
            "absences": pick("absences", me, {"set_by": person_id}),
            "report_returns": pick(
                "report_returns", {"collaborator": person_id}, {"officer": person_id}
            ),
            "period_checks": pick("period_checks", {"officer": person_id}),
            "invites": pick("invites", me),
            "audit": pick("audit", {"who": who}, {"target": who}),
            "access_log": pick("access_log", {"subject": who}),
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
        me = {"person_id": person_id}
        put = self._core.put
        counts: dict[str, Any] = {}
        files: list[str] = []
        with self._core.atomic():
            put("people", person_id, replace(
                person, name=ERASED_NAME, accounts=(), roles=(), active=False, language="",
                phone="", consent_at=None, consent_version=0, erased_at=at,
            ))  # fmt: skip
            pending = {**me, "status": RegistrationStatus.PENDING.value}
            counts["registrations"] = self._drop("registrations", lambda r: r.id, pending)
            counts["link_codes"] = self._drop("link_codes", lambda c: c.code, me)
            counts["invites"] = self._drop("invites", lambda i: i.code, me)
            counts["absences"] = self._drop("absences", lambda a: a.id, me)
            counts["prompts"] = self._drop(
                "prompts", lambda p: (p.chat_key, p.user_key),
                *({"user_key": a} for a in accounts),
            )  # fmt: skip
            counts["inbox"] = self._drop_inbox(senders=accounts)
            counts["outbox"] = self._erase_outbox(person_id, chats)
            jobs = [j for j in self._find("outbox_jobs", {"requested_by": person_id})
                    if j.report_chat and j.status is not JobStatus.RUNNING]  # fmt: skip
            for job in jobs:
                put("outbox_jobs", job.id, replace(job, report_chat="", progress_message_id=""))
            counts["reports"] = self._erase_reports(person_id, text_fields, files)
            counts["questions"] = self._erase_questions(person_id, at)
            # What an officer typed when returning a report may name the collaborator.
            returns = [m for m in self._find("report_returns", {"collaborator": person_id},
                                             {"officer": person_id}) if m.reason]  # fmt: skip
            for mark in returns:
                put("report_returns", mark.number, replace(mark, reason=""))
            counts["report_returns"] = len(returns)
            counts["acks"] = self._blank_chat("acks", lambda a: (a.directive_id, a.person_id), me)
            counts["survey_answers"] = self._blank_chat(
                "survey_answers", lambda a: (a.survey_id, a.voter), me, {"voter": who}
            )
            sightings = self._find("sightings", *({"sender": a} for a in accounts))
            for s in sightings:
                put("sightings", s.id, replace(s, sender="", sender_name="", text=""))
            counts["sightings"] = len(sightings)
            counts["access_log"] = self._drop("access_log", lambda e: e.id, {"subject": who})
        counts["files"] = files
        return counts

    def _drop(self, name: str, key: Any, *patterns: Pattern) -> int:
        gone = self._find(name, *patterns)
        for record in gone:
            self._core.put(name, key(record), None)
        return len(gone)

    def _blank_chat(self, name: str, key: Any, *patterns: Pattern) -> int:
        changed = [r for r in self._find(name, *patterns) if r.chat_key]
        for record in changed:
            self._core.put(name, key(record), replace(record, chat_key=""))
        return len(changed)

    def _erase_outbox(self, person_id: int, chats: set[str]) -> int:
        found = self._find("outbox", {"recipient": person_id}, *({"chat_key": c} for c in chats))
        for item in found:
            if item.status in BACKLOG:
                self._core.put("outbox", item.id, None)  # never sent: dropped
            else:
                self._core.put("outbox", item.id, replace(item, text="", file=None, buttons=()))
        return len(found)

    def _erase_reports(
        self, person_id: int, text_fields: Mapping[str, Collection[str]], files: list[str]
    ) -> int:
        changed = 0
        for report in self._report_versions(reporter=person_id):
            scrubbed = _scrubbed(report, text_fields)
            scrubbed = replace(scrubbed, source_message="")
            if report.photo:
                files.append(report.photo)
            if scrubbed != report:
                self._core.put("reports", (report.id, report.version), scrubbed)
                changed += 1
        return changed

    def _erase_questions(self, person_id: int, at: datetime) -> int:
        asked = cast(list[Question], self._find("questions", {"asker": person_id}))
        for q in asked:
            # Closed, so nobody answers into a chat that no longer has an owner.
            done = q.answered_at or at
            self._core.put("questions", q.id, replace(
                q, text="", answer="", chat_key="", answered_at=done
            ))  # fmt: skip
        return len(asked)

    # -- retention ----------------------------------------------------------------------------

    def scrub_reports(
        self, *, since: float, before: datetime, text_fields: Mapping[str, Collection[str]]
    ) -> tuple[int, list[str]]:
        changed, photos = 0, []
        with self._core.atomic():
            for report in self._report_versions(since=since, before=before):
                scrubbed = _scrubbed(report, text_fields)
                if scrubbed != report:
                    if report.photo:
                        photos.append(report.photo)
                    self._core.put("reports", (report.id, report.version), scrubbed)
                    changed += 1
        return changed, photos

    def scrub_questions(self, *, before: datetime) -> int:
        old = [q for q in self._before("questions", "asked_at", before) if q.text or q.answer]
        with self._core.atomic():
            for q in old:
                self._core.put("questions", q.id, replace(q, text="", answer=""))
        return len(old)

    def scrub_return_reasons(self, *, before: datetime) -> int:
        old = [m for m in self._before("report_returns", "returned_at", before) if m.reason]
        with self._core.atomic():
            for mark in old:
                self._core.put("report_returns", mark.number, replace(mark, reason=""))
        return len(old)

    def purge_inbox(self, *, before: datetime) -> int:
        with self._core.atomic():
            return self._drop_inbox(before=before)

    def scrub_outbox(self, *, before: datetime) -> int:
        old = [i for i in self._before("outbox", "created_at", before)
               if i.status not in BACKLOG and i.text]  # fmt: skip
        with self._core.atomic():
            for item in old:
                self._core.put("outbox", item.id, replace(item, text=""))
        return len(old)

    def scrub_sightings(self, *, before: datetime) -> int:
        old = [s for s in self._before("sightings", "at", before) if s.text or s.sender]
        with self._core.atomic():
            for s in old:
                self._core.put("sightings", s.id, replace(s, sender="", sender_name="", text=""))
        return len(old)


def _order(record: Any) -> Any:
    """Records of one table in a stable order (by id or key), whichever backend found them."""
    for field in ("id", "number", "code"):
        value = getattr(record, field, None)
        if value is not None:
            return (0, value) if isinstance(value, int) else (1, str(value))
    return (2, str(encode(record)))


def _scrubbed(report: Report, text_fields: Mapping[str, Collection[str]]) -> Report:
    """The report with its free-text fields blanked and its photo dropped; numbers stay."""
    fields = text_fields.get(report.type, ())
    values = {
        k: ("" if k in fields and isinstance(v, str) else v) for k, v in report.values.items()
    }
    return replace(report, values=values, photo="")
