"""The store assembled from every repository over one transaction core; the memory backend and
the embedded one differ only in how that core persists (nothing, or a journal and files)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot.store.base import SCHEMA_VERSION, StoreVersionError
from bot.store.engine.outbox_table import OutboxTable
from bot.store.engine.tables import SPECS, AckTable, AnyTable, PeopleTable, ReportTable, Table
from bot.store.engine.transaction import Core
from bot.store.repos.absences import AbsencesRepo
from bot.store.repos.admin_records import AccessLogRepo, AuditRepo, InvitesRepo
from bot.store.repos.chats import GroupsRepo, InboundRepo, PromptsRepo
from bot.store.repos.clarifications import ClarificationsRepo, SightingsRepo
from bot.store.repos.directives import AcksRepo, DirectivesRepo
from bot.store.repos.meta import MetaRepo
from bot.store.repos.outbox import OutboxRepo, QuotaRepo
from bot.store.repos.people import LinkCodesRepo, PeopleRepo, RegistrationsRepo
from bot.store.repos.personal import PersonalDataRepo
from bot.store.repos.questions import HandbookRepo, QuestionsRepo
from bot.store.repos.reminders import RemindersRepo
from bot.store.repos.reports import ReportsRepo
from bot.store.repos.reviews import ChecksRepo, ReturnsRepo
from bot.store.repos.surveys import SurveyAnswersRepo, SurveysRepo
from bot.store.repos.webhooks import HookDeliveriesRepo

log = logging.getLogger(__name__)

SCHEMA_KEY = "schema_version"


def make_tables(
    *, reports: AnyTable | None = None, outbox: AnyTable | None = None
) -> dict[str, AnyTable]:
    """One empty table per record kind; a backend may bring its own report and outbox tables."""
    tables: dict[str, AnyTable] = {}
    for name, spec in SPECS.items():
        if name == "people":
            tables[name] = PeopleTable(spec)
        elif name == "acks":
            tables[name] = AckTable(spec)
        elif name == "reports":
            tables[name] = reports if reports is not None else ReportTable()
        elif name == "outbox":
            tables[name] = outbox if outbox is not None else OutboxTable(spec)
        else:
            tables[name] = Table(spec)
    return tables


def stored_schema(tables: Mapping[str, AnyTable], where: str) -> int | None:
    """The schema version recorded in `tables`; StoreVersionError if newer than this program."""
    entry = tables["meta"].get(SCHEMA_KEY)
    if entry is None:
        return None
    version = int(entry.value)
    if version > SCHEMA_VERSION:
        msg = (
            f"the store at {where} has schema version {version}, but this program knows only up "
            f"to {SCHEMA_VERSION}: run a newer version of the bot (or restore a backup)"
        )
        raise StoreVersionError(msg)
    return version


class CoreStore:
    """Every repository over one Core; backends differ only in how the Core persists."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.people = PeopleRepo(core)
        self.registrations = RegistrationsRepo(core)
        self.groups = GroupsRepo(core)
        self.link_codes = LinkCodesRepo(core)
        self.prompts = PromptsRepo(core)
        self.inbound = InboundRepo(core)
        self.meta = MetaRepo(core)
        self.reports = ReportsRepo(core)
        self.outbox = OutboxRepo(core)
        self.quota = QuotaRepo(core)
        self.directives = DirectivesRepo(core)
        self.acks = AcksRepo(core)
        self.reminders = RemindersRepo(core)
        self.questions = QuestionsRepo(core)
        self.handbook = HandbookRepo(core)
        self.clarifications = ClarificationsRepo(core)
        self.sightings = SightingsRepo(core)
        self.surveys = SurveysRepo(core)
        self.survey_answers = SurveyAnswersRepo(core)
        self.audit = AuditRepo(core)
        self.access_log = AccessLogRepo(core)
        self.personal = PersonalDataRepo(core)
        self.invites = InvitesRepo(core)
        self.webhooks = HookDeliveriesRepo(core)
        self.report_returns = ReturnsRepo(core)
        self.period_checks = ChecksRepo(core)
        self.absences = AbsencesRepo(core)
        # Recorded from day one, so a later layout change knows what it reads.
        if self.meta.get(SCHEMA_KEY) is None:
            self.meta.set(SCHEMA_KEY, SCHEMA_VERSION)
        self.schema_version: int = int(self.meta.get(SCHEMA_KEY))

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._core.atomic():
            yield

    def flush(self) -> None:
        """Nothing to make durable in memory."""

    def close(self) -> None:
        self._core.closed = True

    def __enter__(self) -> CoreStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
