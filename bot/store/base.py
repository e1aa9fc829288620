"""The store's interface: typed repository Protocols over the domain records, and its errors."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Literal, Protocol

from bot.core.messages import Incoming
from bot.core.models import (
    Account,
    Acknowledgement,
    Clarification,
    Directive,
    GroupBinding,
    HandbookNote,
    JobStatus,
    LinkCode,
    OutboxFile,
    OutboxItem,
    OutboxJob,
    Person,
    Prompt,
    Question,
    Registration,
    Reminder,
    Report,
    RoleGrant,
    RumourSighting,
    Survey,
    SurveyAnswer,
)
from bot.store.base_ops import AccessLogRepo, AuditRepo, InvitesRepo, PersonalDataRepo

# The layout of stored records. Bump it (and add a step to bot/store/migrations.py) when a change
# is not just a new field with a default: an older store is backed up and migrated at open, a
# store written by a newer program refuses to open in an older one.
# 1: the first layout. 2: reports carry `area_name` (their village's name when written).
SCHEMA_VERSION = 2

FsyncPolicy = Literal["always", "batch", "never"]


class StoreError(Exception):
    """The store cannot do what was asked (closed, broken, corrupt, unwritable)."""


class StoreLockedError(StoreError):
    """Another process (or another open store in this one) holds the data directory."""


class StoreVersionError(StoreError):
    """The data was written by a newer schema than this program knows."""


class StoreCorruptError(StoreError):
    """A checkpoint file cannot be read; the store refuses to guess."""


class DuplicateKeyError(StoreError, ValueError):
    """A write would break a uniqueness rule (an account owned twice, a report version twice)."""


class PeopleRepo(Protocol):
    """People and their platform accounts; ids are short numbers assigned in order."""

    def add(
        self,
        *,
        name: str,
        accounts: tuple[Account, ...] = (),
        roles: tuple[RoleGrant, ...] = (),
        created_at: datetime,
        language: str = "",
    ) -> Person:
        """Store a new person under the next id (1, 2, 3…); an account owned by another raises."""

    def get(self, person_id: int) -> Person | None:
        """The person with this id, or None."""

    def by_account(self, user_key: str) -> Person | None:
        """The person owning this platform account (UserRef.key), in O(1)."""

    def save(self, person: Person) -> None:
        """Replace the person with the same id; the account index follows (DuplicateKeyError if
        an account belongs to someone else: remove it there first, in the same atomic())."""

    def all(self) -> list[Person]:
        """Every person, by id."""


class RegistrationsRepo(Protocol):
    """Requests to join a village, waiting for an officer's decision."""

    def add(self, *, person_id: int, area: str, requested_at: datetime) -> Registration:
        """Store a new pending registration under the next id."""

    def get(self, reg_id: int) -> Registration | None:
        """The registration with this id, or None."""

    def save(self, reg: Registration) -> None:
        """Replace the registration with the same id."""

    def pending(self) -> list[Registration]:
        """Registrations still pending, oldest id first."""

    def for_person(self, person_id: int) -> list[Registration]:
        """One person's registrations, any status, by id."""


class GroupsRepo(Protocol):
    """Group chats bound to areas."""

    def save(self, binding: GroupBinding) -> None:
        """Insert or replace the binding of `binding.chat_key`."""

    def get(self, chat_key: str) -> GroupBinding | None:
        """The binding of this chat, or None."""

    def all(self) -> list[GroupBinding]:
        """Every binding, by chat key."""

    def remove(self, chat_key: str) -> None:
        """Forget the binding of this chat (no error if there is none)."""


class LinkCodesRepo(Protocol):
    """One-time codes that link another platform account to a person."""

    def add(self, code: LinkCode) -> None:
        """Store a code (replacing an earlier one with the same text)."""

    def take(self, code: str, *, now: datetime) -> LinkCode | None:
        """If the code exists, is unused and expires after `now`: mark it used and return it
        (with used=True); otherwise None. A code can be taken once."""

    def purge(self, *, now: datetime) -> int:
        """Delete used and expired codes; return how many went."""


class PromptsRepo(Protocol):
    """The one pending question per (chat, user)."""

    def set(self, prompt: Prompt) -> None:
        """Store the prompt, replacing any other for the same chat and user."""

    def get(self, chat_key: str, user_key: str) -> Prompt | None:
        """The prompt as stored (the caller checks `expires_at`), or None."""

    def clear(self, chat_key: str, user_key: str) -> None:
        """Drop the prompt of this chat and user (no error if there is none)."""

    def take_expired(self, *, now: datetime) -> list[Prompt]:
        """Remove and return the prompts whose `expires_at` has passed, in one commit."""


class InboundRepo(Protocol):
    """Exactly-once intake: keys of platform updates already handled."""

    def seen(self, key: str) -> bool:
        """Whether this update key was marked."""

    def mark(self, key: str, *, at: datetime) -> None:
        """Remember this update key as handled at `at` (and drop it from the inbox)."""

    def receive(self, key: str, incoming: Incoming, *, at: datetime) -> None:
        """Keep an event taken in but not handled yet (durable before the platform is told)."""

    def waiting(self) -> list[Incoming]:
        """Events received and not yet marked handled (after a crash), oldest first."""

    def purge(self, *, before: datetime) -> int:
        """Forget keys marked before `before`; return how many went."""


class MetaRepo(Protocol):
    """Small named settings and counters; values must be JSON-native (str, numbers, bool, None,
    lists and str-keyed dicts of those)."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under `key` (a copy), or `default`."""

    def set(self, key: str, value: Any) -> None:
        """Store `value` under `key`; TypeError if it is not JSON-native."""


class ReportsRepo(Protocol):
    """Field reports, every version kept.

    A report is identified by `Report.id`; each correction is a new record with the same id and
    a higher `version`; "the report" is its highest version.
    """

    def add(self, report: Report) -> None:
        """Store one version; DuplicateKeyError if this (id, version) is already stored."""

    def get(self, report_id: str) -> Report | None:
        """The latest version of the report, or None."""

    def versions(self, report_id: str) -> list[Report]:
        """Every stored version of the report, oldest first."""

    def in_period(
        self, type_: str, period: str, *, areas: Collection[str] | None = None
    ) -> list[Report]:
        """Latest versions of the reports of this type and period (retracted ones included, the
        caller decides), optionally only for these area codes; sorted by area, then id."""

    def latest_by_reporter(self, person_id: int, *, limit: int = 1) -> list[Report]:
        """The reporter's reports (latest versions), most recently received first."""

    def count(self) -> int:
        """How many distinct reports (ids) are stored."""

    def area_counts(self) -> dict[str, int]:
        """Area code → how many reports (ids) have a version there; reads only the index."""

    def ids_at(self, areas: Collection[str]) -> list[str]:
        """Ids of the reports with any version at one of these area codes, sorted."""

    def rewrite(self, report_id: str, versions: Sequence[Report]) -> None:
        """Replace every stored version of `report_id` by `versions` (one report's versions,
        possibly under a new id: DuplicateKeyError if that id is another stored report), in one
        commit. For `areas migrate`, which moves reports to the areas that replaced theirs."""


class OutboxRepo(Protocol):
    """Messages the bot sends on its own, grouped in jobs; written before the first attempt.

    Items PENDING or INFLIGHT are the backlog; the queries about them read indexes, so they
    stay fast however many finished items are stored.
    """

    def add_job(
        self,
        *,
        kind: str,
        created_at: datetime,
        total: int,
        requested_by: int | None = None,
        report_chat: str = "",
        ref: str = "",
    ) -> OutboxJob:
        """Store a new RUNNING job under the next id (1, 2, 3…)."""

    def get_job(self, job_id: int) -> OutboxJob | None:
        """The job with this id, or None."""

    def save_job(self, job: OutboxJob) -> None:
        """Replace the job with the same id; KeyError if there is none."""

    def jobs(self, *, status: JobStatus | None = None) -> list[OutboxJob]:
        """Every job (or those with this status), oldest (lowest id) first."""

    def add(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """Store the items under the next ids, in order (their own `id` is ignored)."""

    def get(self, item_id: int) -> OutboxItem | None:
        """The item with this id, or None."""

    def save(self, item: OutboxItem) -> None:
        """Replace the item with the same id (KeyError if none; ValueError if it would move
        to another job); the indexes follow its status and times."""

    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]:
        """Up to `limit` PENDING items with next_attempt_at <= now, by (next_attempt_at, id)."""

    def inflight(self) -> list[OutboxItem]:
        """Items marked INFLIGHT (after a crash: maybe sent, maybe not), by id."""

    def for_job(self, job_id: int) -> list[OutboxItem]:
        """Every item of the job, any status, by id."""

    def backlog(self) -> tuple[int, datetime | None]:
        """How many items are PENDING or INFLIGHT, and the oldest created_at among them."""

    def next_due_at(self) -> datetime | None:
        """The earliest next_attempt_at of a PENDING item, or None."""

    def compact(self, *, before: datetime, keep_kinds: Collection[str] = ()) -> int:
        """Delete finished items (SENT, FAILED, UNREACHABLE, HELD) of jobs finished (DONE or
        STOPPED) before `before`, and those jobs once empty; return how many items went. Jobs
        of `keep_kinds` are records (a directive's delivery) and stay."""


class QuotaRepo(Protocol):
    """Messages each Zalo bot has spent per month."""

    def used(self, bot: str, month: str) -> int:
        """The count for this bot and month ("2026-11"); 0 if nothing was counted."""

    def add(self, bot: str, month: str, n: int) -> int:
        """Add `n` to the count (in the caller's atomic() block, if any); return the new total."""


class DirectivesRepo(Protocol):
    """Directives, numbered 1, 2, 3… in order of confirmation."""

    def add(
        self,
        *,
        author: int,
        targets: tuple[str, ...],
        text: str,
        created_at: datetime,
        deadline: datetime | None = None,
        file: OutboxFile | None = None,
    ) -> Directive:
        """Store a new directive under the next id."""

    def get(self, directive_id: int) -> Directive | None:
        """The directive with this id, or None."""

    def save(self, directive: Directive) -> None:
        """Replace the directive with the same id."""

    def all(self) -> list[Directive]:
        """Every directive, by id."""


class AcksRepo(Protocol):
    """Who acknowledged which directive; one record per (directive, person)."""

    def add(self, ack: Acknowledgement) -> None:
        """Store an acknowledgement; DuplicateKeyError if this person already acknowledged."""

    def get(self, directive_id: int, person_id: int) -> Acknowledgement | None:
        """This person's acknowledgement of the directive, or None."""

    def for_directive(self, directive_id: int) -> dict[int, Acknowledgement]:
        """Everyone who acknowledged the directive, by person id, in O(their number)."""


class RemindersRepo(Protocol):
    """Stored schedules: reminders from chat or config, and the digest."""

    def add(self, reminder: Reminder) -> Reminder:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, reminder_id: int) -> Reminder | None:
        """The reminder with this id, or None."""

    def save(self, reminder: Reminder) -> None:
        """Replace the reminder with the same id."""

    def all(self) -> list[Reminder]:
        """Every reminder (active or not), by id."""


class QuestionsRepo(Protocol):
    """Questions from the field, numbered 1, 2, 3… in the order they were asked."""

    def add(self, question: Question) -> Question:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, question_id: int) -> Question | None:
        """The question with this id, or None."""

    def save(self, question: Question) -> None:
        """Replace the question with the same id."""

    def all(self) -> list[Question]:
        """Every question, by id."""

    def open(self) -> list[Question]:
        """The questions not answered yet, by id."""


class HandbookRepo(Protocol):
    """Handbook notes of areas (retired ones stay, inactive)."""

    def add(self, note: HandbookNote) -> HandbookNote:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, note_id: int) -> HandbookNote | None:
        """The note with this id, or None."""

    def save(self, note: HandbookNote) -> None:
        """Replace the note with the same id."""

    def all(self) -> list[HandbookNote]:
        """Every note (active or not), by id."""


class ClarificationsRepo(Protocol):
    """Official clarifications and their rumour phrases, numbered 1, 2, 3…"""

    def add(self, clarification: Clarification) -> Clarification:
        """Store under the next id (the record's own id is ignored); returns it with its id."""

    def get(self, clarification_id: int) -> Clarification | None:
        """The clarification with this id, or None."""

    def save(self, clarification: Clarification) -> None:
        """Replace the clarification with the same id."""

    def all(self) -> list[Clarification]:
        """Every clarification (retired ones too), by id."""


class SightingsRepo(Protocol):
    """Group messages that repeated a registered rumour."""

    def add(self, sighting: RumourSighting) -> RumourSighting:
        """Store under the next id; returns it with its id."""

    def save(self, sighting: RumourSighting) -> None:
        """Replace the sighting with the same id."""

    def since(self, moment: datetime) -> list[RumourSighting]:
        """The sightings at or after `moment`, by id."""


class SurveysRepo(Protocol):
    """Surveys, numbered 1, 2, 3… in order of confirmation."""

    def add(self, survey: Survey) -> Survey:
        """Store under the next id; returns it with its id."""

    def get(self, survey_id: int) -> Survey | None:
        """The survey with this id, or None."""

    def save(self, survey: Survey) -> None:
        """Replace the survey with the same id."""

    def all(self) -> list[Survey]:
        """Every survey, by id."""


class SurveyAnswersRepo(Protocol):
    """Each voter's current answer to a survey; one record per (survey, voter)."""

    def put(self, answer: SurveyAnswer) -> None:
        """Store the answer, replacing the voter's earlier one."""

    def get(self, survey_id: int, voter: str) -> SurveyAnswer | None:
        """The voter's answer, or None."""

    def remove(self, survey_id: int, voter: str) -> None:
        """Forget the voter's answer (a vote taken back); no error if there is none."""

    def for_survey(self, survey_id: int) -> list[SurveyAnswer]:
        """Every answer to the survey, oldest first."""


class Store(Protocol):
    """Every repository of one data directory, with transactions and durability control."""

    people: PeopleRepo
    registrations: RegistrationsRepo
    groups: GroupsRepo
    link_codes: LinkCodesRepo
    prompts: PromptsRepo
    inbound: InboundRepo
    meta: MetaRepo
    reports: ReportsRepo
    outbox: OutboxRepo
    quota: QuotaRepo
    directives: DirectivesRepo
    acks: AcksRepo
    reminders: RemindersRepo
    questions: QuestionsRepo
    handbook: HandbookRepo
    clarifications: ClarificationsRepo
    sightings: SightingsRepo
    surveys: SurveysRepo
    survey_answers: SurveyAnswersRepo
    audit: AuditRepo
    access_log: AccessLogRepo
    personal: PersonalDataRepo
    invites: InvitesRepo
    schema_version: int

    def atomic(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all; nestable (an inner block that raises
        undoes only its own writes)."""

    def flush(self) -> None:
        """Make every acknowledged write durable now, whatever the fsync policy."""

    def close(self) -> None:
        """Checkpoint, make durable, release the data directory. Idempotent."""
