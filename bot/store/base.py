"""The store's interface: the Store every backend provides, its errors and schema version.

The repository Protocols it holds live in bot.store.interface, one module per kind of record;
they are imported here too, so services can name them all from this one module.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Literal, Protocol

from bot.store.interface.absences import AbsencesRepo
from bot.store.interface.admin_records import AccessLogRepo, AuditRepo, InvitesRepo
from bot.store.interface.chats import GroupsRepo, InboundRepo, PromptsRepo
from bot.store.interface.clarifications import ClarificationsRepo, SightingsRepo
from bot.store.interface.directives import AcksRepo, DirectivesRepo
from bot.store.interface.meta import MetaRepo
from bot.store.interface.outbox import OutboxRepo, QuotaRepo
from bot.store.interface.people import LinkCodesRepo, PeopleRepo, RegistrationsRepo
from bot.store.interface.personal import PersonalDataRepo
from bot.store.interface.questions import HandbookRepo, QuestionsRepo
from bot.store.interface.reminders import RemindersRepo
from bot.store.interface.reports import ReportsRepo
from bot.store.interface.reviews import ChecksRepo, ReturnsRepo
from bot.store.interface.surveys import SurveyAnswersRepo, SurveysRepo
from bot.store.interface.webhooks import HookDeliveriesRepo

__all__ = [
    "SCHEMA_VERSION",
    "AbsencesRepo",
    "AccessLogRepo",
    "AcksRepo",
    "AuditRepo",
    "ChecksRepo",
    "ClarificationsRepo",
    "DirectivesRepo",
    "DuplicateKeyError",
    "FsyncPolicy",
    "GroupsRepo",
    "HandbookRepo",
    "HookDeliveriesRepo",
    "InboundRepo",
    "InvitesRepo",
    "LinkCodesRepo",
    "MetaRepo",
    "OutboxRepo",
    "PeopleRepo",
    "PersonalDataRepo",
    "PromptsRepo",
    "QuestionsRepo",
    "QuotaRepo",
    "RegistrationsRepo",
    "RemindersRepo",
    "ReportsRepo",
    "ReturnsRepo",
    "SightingsRepo",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreVersionError",
    "StoreWriteError",
    "SurveyAnswersRepo",
    "SurveysRepo",
]

# The layout of stored records. Bump it (and add a step to bot/store/maintenance/migrations.py)
# when a change is not just a new field with a default: an older store is backed up and migrated
# at open, a store written by a newer program refuses to open in an older one.
# 1: the first layout. 2: reports carry `area_name` (their village's name when written).
# 3: reports carry `number`, their short store-wide number (`/sua 12`).
SCHEMA_VERSION = 3

FsyncPolicy = Literal["always", "batch", "never"]


class StoreError(Exception):
    """The store cannot do what was asked (closed, broken, corrupt, unwritable)."""


class StoreWriteError(StoreError):
    """The disk refused a write (full, read-only, failing): nothing of the commit was kept, in
    memory or on disk, and the same write may succeed once the disk takes writes again."""


class StoreLockedError(StoreError):
    """Another process (or another open store in this one) holds the data directory."""


class StoreVersionError(StoreError):
    """The data was written by a newer schema than this program knows."""


class StoreCorruptError(StoreError):
    """A checkpoint file cannot be read; the store refuses to guess."""


class DuplicateKeyError(StoreError, ValueError):
    """A write would break a uniqueness rule (an account owned twice, a report version twice)."""


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
    webhooks: HookDeliveriesRepo
    report_returns: ReturnsRepo
    period_checks: ChecksRepo
    absences: AbsencesRepo
    schema_version: int

    def atomic(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all; nestable (an inner block that raises
        undoes only its own writes)."""

    def flush(self) -> None:
        """Make every acknowledged write durable now, whatever the fsync policy."""

    def close(self) -> None:
        """Checkpoint, make durable, release the data directory. Idempotent."""
