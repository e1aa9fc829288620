"""Domain records the services keep in the store: people, roles, registrations, groups, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What a person may do, always over one area's whole subtree."""

    COLLABORATOR = "collaborator"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Area:
    """One node of the area tree from config (province, region, district, commune, village)."""

    code: str
    name: str
    kind: str
    parent: str = ""
    path: tuple[str, ...] = ()  # codes from the root down to this area, itself included


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """A role over an area's subtree, with who granted it and when."""

    role: Role
    area: str
    granted_by: str = ""
    granted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """One platform identity of a person and whether the bot can write to them privately."""

    key: str  # UserRef.key: telegram:<id> or zalo:<bot>:<id>
    display_name: str = ""
    reachable: bool = False  # they wrote to the bot privately, and no send there was refused since
    language: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    """A person known to the bot; `id` is a short number people can type (e.g. 12)."""

    id: int
    name: str
    accounts: tuple[Account, ...] = ()
    roles: tuple[RoleGrant, ...] = ()
    active: bool = True
    language: str = ""
    created_at: datetime | None = None
    consent_at: datetime | None = None
    phone: str = ""  # from an import (personal data: never logged)
    consent_version: int = 0  # the privacy notice's version they agreed to (0: none)
    erased_at: datetime | None = None  # `people erase` removed their identity; links die


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Registration:
    """A request to join a village as its collaborator, waiting for an officer."""

    id: int
    person_id: int
    area: str
    status: RegistrationStatus
    requested_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupBinding:
    """A group chat bound to an area: directives and reminders for that area go there."""

    chat_key: str  # ChatRef.key
    area: str
    title: str = ""
    bound_by: int | None = None
    bound_at: datetime | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class LinkCode:
    """A one-time /lienket code that links another platform account to a person, and what came
    of it (kept for the owner's undo). The code itself is not kept: its first digits (`prefix`,
    which a typed code names) and a SHA-256 `digest` of all of it are."""

    code: str  # the record's key: a short number the owner's undo names (older records: the code)
    person_id: int
    expires_at: datetime  # when the code stops working; once it linked, when its undo is over
    used: bool = False  # spent: it linked, a newer code replaced it, or wrong tries killed it
    prefix: str = ""
    digest: str = ""
    account: str = ""  # the account that asked for it: told of each use, the one that may undo
    failures: int = 0  # wrong codes typed that named its prefix
    linked: str = ""  # the account it linked ("" while unused)
    linked_at: datetime | None = None
    from_person: int | None = None  # whom that account belonged to before
    from_roles: tuple[RoleGrant, ...] = ()  # …and their roles, when the link emptied that person
    undone_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LinkFailure:
    """One wrong /lienket code: when, from which account (a SHA-256 tag of its key, not the
    key) and by which person, if the account had one."""

    at: datetime
    account: str
    person_id: int | None = None


PROMPT_ENDED = "/ended"  # the kind suffix of an ended question's marker


@dataclass(frozen=True, slots=True)
class Prompt:
    """The one pending question the bot put to a person in a chat (answered by a bare number)."""

    chat_key: str
    user_key: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    chat_kind: str = "private"  # ChatKind value, to tell the person when it expires

    @property
    def ended(self) -> bool:
        """A marker a question leaves when it ends (its kind ends in PROMPT_ENDED), kept a while
        so that a late answer is told so: not a pending question (nothing for /huy to cancel,
        no note when it runs out)."""
        return self.kind.endswith(PROMPT_ENDED)


@dataclass(frozen=True, slots=True)
class Report:
    """One version of a field report for a village, type and period."""

    id: str
    type: str
    area: str
    period: str  # e.g. 2026-11, 2026-W45, 2026-Q4, 2026-11-24
    values: dict[str, Any]
    reporter: int
    platform: str
    received_at: datetime
    version: int = 1
    late: bool = False
    retracted: bool = False
    source_message: str = ""  # ChatRef.key + ":" + message id, for corrections by edit or reply
    photo: str = ""  # FileStore id of a photo sent with the report (its caption was the report)
    area_name: str = ""  # the village's name when written: readable after a merge or rename
    former_area: str = ""  # the area code before `areas migrate` moved it ("" if never moved)
    # The report's short number, the same on every version: store-wide, from 1, in the order
    # reports were first stored (the store gives it; 0 only before it did). `/sua 12`.
    number: int = 0


class OutboxStatus(StrEnum):
    """Where one outbox message stands. PENDING and INFLIGHT are the backlog."""

    PENDING = "pending"
    INFLIGHT = "inflight"  # handed to the platform; after a crash it may have gone out already
    SENT = "sent"
    FAILED = "failed"  # refused for good (bad request, retries exhausted)
    UNREACHABLE = "unreachable"  # the chat is gone for the bot (removed, blocked, unknown)
    HELD = "held"  # not sent: the bot's quota is spent, or the job was stopped


@dataclass(frozen=True, slots=True)
class OutboxButton:
    """A button as stored with an outbox message (label, callback data, typed twin)."""

    label: str
    data: str
    typed: str = ""


@dataclass(frozen=True, slots=True)
class OutboxFile:
    """A file to send with an outbox message: a stored file id and how to present it."""

    file_id: str
    name: str
    kind: str = "document"  # document | photo
    mime: str = ""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One message the bot sends on its own initiative, written before the first attempt."""

    id: int
    job_id: int
    chat_key: str  # ChatRef.key: platform:bot:id
    chat_kind: str  # ChatKind value
    text: str
    status: OutboxStatus
    created_at: datetime
    next_attempt_at: datetime
    lang: str = ""
    buttons: tuple[tuple[OutboxButton, ...], ...] = ()
    file: OutboxFile | None = None
    recipient: int | None = None  # the person it is for (private chats), for signed links
    pin: bool = False
    attempts: int = 0
    sent_at: datetime | None = None
    message_ids: tuple[str, ...] = ()
    error: str = ""
    possibly_repeated: bool = False  # was in flight when the process died, so sent again
    poll: tuple[str, ...] = ()  # a native poll's options (`text` is its question)
    poll_id: str = ""  # the platform's id of the poll once sent (its votes name it)
    claimed_by: str = ""  # the instance that marked it in flight (several instances share one)


class JobStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"  # stopped before the end (quota spent); what is left is HELD


@dataclass(frozen=True, slots=True)
class OutboxJob:
    """A bulk send (a directive, a reminder round, a digest run) and who asked for it."""

    id: int
    kind: str
    created_at: datetime
    total: int
    requested_by: int | None = None  # person id, told of progress and the result
    report_chat: str = ""  # ChatRef.key of the requester's private chat for progress
    progress_message_id: str = ""
    ref: str = ""  # what the job carries, e.g. "directive:12"
    status: JobStatus = JobStatus.RUNNING
    finished_at: datetime | None = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Directive:
    """A directive relayed from an officer to the groups and people of some areas.

    Where each copy went and how it fared lives in the outbox job `job_id` (kept, never
    compacted); who acknowledged lives in the acknowledgements table.
    """

    id: int  # the short number people type: "ok 12"
    author: int  # person id
    targets: tuple[str, ...]  # area codes
    text: str
    created_at: datetime
    deadline: datetime | None = None
    file: OutboxFile | None = None
    job_id: int | None = None
    groups: tuple[tuple[str, str], ...] = ()  # (chat key, area) of the groups it went to
    expected: tuple[tuple[int, str], ...] = ()  # (person id, their area) expected to acknowledge
    unreachable: tuple[int, ...] = ()  # expected people with no group and no private chat
    chases: int = 0
    last_chase_at: datetime | None = None
    summary_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """One person saying they received a directive (button, command or typed twin)."""

    directive_id: int
    person_id: int
    at: datetime
    via: str  # "button" | "command" | "typed"
    chat_key: str = ""


class ReminderKind(StrEnum):
    """When a reminder fires (the `when` of /nhac, or of config.yaml's reminders)."""

    MONTHLY = "monthly"  # day_of_month at `at`
    WEEKLY = "weekly"  # weekday (0 = Monday) at `at`
    DAILY = "daily"  # every day at `at`
    DEADLINE = "deadline"  # days_before a report type's deadline, to those who have not reported
    CAMPAIGN = "campaign"  # on_date shifted by each of `offsets` days, at `at`
    ONCE = "once"  # on_date at `at`
    DIGEST = "digest"  # the supervisors' daily digest at `at` (from config)
    REGISTRATIONS = "registrations"  # officers' daily summary of new registrations at `at`
    DHIS2 = "dhis2"  # the daily push of the numbers to DHIS2 at `at` (from config)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A stored schedule; `last_fired` is the scheduled moment last handled (sent or skipped),
    written in the same commit as the messages it queued, so a firing happens once."""

    id: int
    kind: ReminderKind
    at: str  # "HH:MM", local time
    text: str = ""
    areas: tuple[str, ...] = ()  # whom: the groups and people of these areas
    day_of_month: int | None = None
    weekday: int | None = None
    report_type: str = ""
    days_before: int = 0
    on_date: str = ""  # ISO date, for CAMPAIGN and ONCE
    offsets: tuple[int, ...] = ()  # days relative to on_date, for CAMPAIGN
    created_by: int | None = None
    created_at: datetime | None = None
    source: str = ""  # "" from chat; "config:<name>" from config.yaml
    active: bool = True
    last_fired: datetime | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """A question from the field (/hoi) to the officers of the asker's area, numbered 1, 2, 3…;
    unanswered, it climbs the area tree one level at a time."""

    id: int  # the short number officers type: "/traloi 5 …"
    asker: int  # person id
    area: str  # the asker's area (their village, usually)
    text: str
    asked_at: datetime
    chat_key: str  # ChatRef.key of the chat it was asked in (the answer goes back there)
    chat_kind: str = "private"  # ChatKind value
    level: str = ""  # the area whose officers have it now; "" when no officer could be told
    level_since: datetime | None = None  # when it reached that level (escalation counts from)
    escalations: int = 0
    notified: tuple[int, ...] = ()  # person ids told so far, at every level
    answer: str = ""
    answered_by: int | None = None
    answered_at: datetime | None = None
    note_id: int | None = None  # the handbook note it was saved as


@dataclass(frozen=True, slots=True)
class HandbookNote:
    """A handbook note (/camnang) of an area: seen by everyone in that area and below it."""

    id: int
    area: str
    topic: str
    text: str
    created_at: datetime
    created_by: int | None = None
    file: OutboxFile | None = None
    updated_at: datetime | None = None
    updated_by: int | None = None
    question: int | None = None  # the question it was saved from
    active: bool = True


@dataclass(frozen=True, slots=True)
class Clarification:
    """An official clarification (/dinhchinh) and the phrases of the rumour it answers.

    It applies to the groups bound inside its area or above it; retired ones are kept for the
    record of their sightings but no longer matched."""

    id: int
    area: str
    text: str
    phrases: tuple[str, ...]
    created_at: datetime
    author: int | None = None
    source: str = ""
    file: OutboxFile | None = None
    updated_at: datetime | None = None
    retired_at: datetime | None = None
    # Messages officers marked "không phải tin đồn" from an alert: their shape is not this
    # rumour (a field with a default: older stores read as before, no migration).
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RumourSighting:
    """A group message that repeated a registered rumour, and what the bot did about it."""

    id: int
    clarification: int
    chat_key: str  # ChatRef.key of the group
    area: str  # the group's area
    sender: str  # UserRef.key
    sender_name: str
    text: str  # the message, cut at a few hundred characters
    at: datetime
    message_id: str = ""
    phrase: str = ""
    replied: bool = False  # the clarification was posted under it (once a group and day)
    alerted: int = 0  # officers told
    sure: bool = True  # False: the watch could not tell a repetition from a denial (not answered)
    taught: str = ""  # what an officer did from its alert: "not_rumour" or "phrase"


@dataclass(frozen=True, slots=True)
class Survey:
    """A question with options (/khaosat) to the groups and people of some areas."""

    id: int  # people type it as ks<id>
    author: int
    targets: tuple[str, ...]
    question: str
    options: tuple[str, ...]
    created_at: datetime
    job_id: int | None = None
    groups: tuple[tuple[str, str], ...] = ()  # (chat key, area) of the groups it went to
    expected: tuple[tuple[int, str], ...] = ()  # (person id, their area) asked to answer


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One voter's current answer to a survey (a native poll vote or a typed number)."""

    survey_id: int
    voter: str  # "person:<id>", or the account key of someone the bot does not know
    option: int  # index into Survey.options
    area: str  # where it counts: the voter's area, else the area of the group it came from
    at: datetime
    via: str  # "poll" | "typed"
    person_id: int | None = None
    chat_key: str = ""
