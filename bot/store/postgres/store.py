"""The PostgreSQL store: every repository of bot.store.interface over one connection, for
several instances sharing one database (docs/architecture.md, "PostgreSQL store")."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from bot.store.base import SCHEMA_VERSION
from bot.store.engine.tables import MetaEntry
from bot.store.postgres.connection import Database
from bot.store.postgres.core import PgCore
from bot.store.postgres.inbound import PgInboundRepo
from bot.store.postgres.outbox import PgOutboxRepo, PgQuotaRepo
from bot.store.postgres.own_tables import make_tables
from bot.store.postgres.people import (
    PgAcksRepo,
    PgLinkCodesRepo,
    PgPeopleRepo,
    PgSurveyAnswersRepo,
)
from bot.store.postgres.personal import PgPersonalDataRepo
from bot.store.postgres.records import PgAuditRepo, PgPromptsRepo, PgRegistrationsRepo
from bot.store.postgres.reports import PgReportsRepo
from bot.store.postgres.schema import ensure_schema
from bot.store.repos.absences import AbsencesRepo
from bot.store.repos.admin_records import AccessLogRepo, InvitesRepo
from bot.store.repos.chats import GroupsRepo
from bot.store.repos.clarifications import ClarificationsRepo, SightingsRepo
from bot.store.repos.core_store import SCHEMA_KEY, stored_schema
from bot.store.repos.directives import DirectivesRepo
from bot.store.repos.meta import MetaRepo
from bot.store.repos.questions import HandbookRepo, QuestionsRepo
from bot.store.repos.reminders import RemindersRepo
from bot.store.repos.reviews import ChecksRepo, ReturnsRepo
from bot.store.repos.surveys import SurveysRepo
from bot.store.repos.webhooks import HookDeliveriesRepo

log = logging.getLogger(__name__)

# Every table that holds the store's data (the cluster's own tables are not the store's).
DATA_TABLES = (
    "meta", "people", "accounts", "registrations", "groups", "link_codes", "prompts", "intake",
    "reports", "outbox", "outbox_jobs", "quota", "directives", "acks", "reminders",
    "reminder_firings", "questions", "handbook", "clarifications", "sightings", "surveys",
    "survey_answers", "audit", "access_log", "invites", "webhook_deliveries", "report_returns",
    "period_checks", "absences",
)  # fmt: skip


class PgRemindersRepo(RemindersRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._db = core.db

    def claim_firing(self, reminder_id: int, due: datetime, *, by: str = "") -> bool:
        if due.tzinfo is None:
            msg = f"naive datetime {due!r}: a firing's due time must be timezone-aware"
            raise ValueError(msg)
        # The primary key decides: of two leaders (a failover), one records it.
        taken = self._db.execute(
            "INSERT INTO reminder_firings (reminder_id, due_at, fired_at, instance) "
            "VALUES (%s, %s, now(), %s) ON CONFLICT DO NOTHING",
            [reminder_id, due, by],
        )
        return taken.rowcount == 1


class PostgresStore:
    """The store of one PostgreSQL database; several may be open on it at once (instances).

    Opening brings the schema up to date (Alembic, under an advisory lock) and refuses a
    database written by a newer program (StoreVersionError). `url_safe` says where it is,
    without the password, for logs."""

    def __init__(self, url: str, *, application: str = "danso-bot") -> None:
        self._db = Database(url, application=application)
        try:
            ensure_schema(self._db, url)
            self._core = PgCore(self._db, make_tables(self._db))
            self._assemble(self._core)
            stored_schema(self._core.tables, self.url_safe)  # type: ignore[arg-type]
            # Recorded from day one, as the other backends do (insert once, whoever is first).
            self._db.execute(
                "INSERT INTO meta (key, doc) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [SCHEMA_KEY, _jsonb(MetaEntry(SCHEMA_KEY, SCHEMA_VERSION))],
            )
            self.schema_version: int = int(self.meta.get(SCHEMA_KEY))
        except BaseException:
            self._db.close()
            raise

    def _assemble(self, core: PgCore) -> None:
        generic: Any = core  # the repositories written over the engine's core run on it
        self.people = PgPeopleRepo(core)
        self.registrations = PgRegistrationsRepo(core)
        self.groups = GroupsRepo(generic)
        self.link_codes = PgLinkCodesRepo(core)
        self.prompts = PgPromptsRepo(core)
        self.inbound = PgInboundRepo(core)
        self.meta = MetaRepo(generic)
        self.reports = PgReportsRepo(core)
        self.outbox = PgOutboxRepo(core)
        self.quota = PgQuotaRepo(core)
        self.directives = DirectivesRepo(generic)
        self.acks = PgAcksRepo(core)
        self.reminders = PgRemindersRepo(core)
        self.questions = QuestionsRepo(generic)
        self.handbook = HandbookRepo(generic)
        self.clarifications = ClarificationsRepo(generic)
        self.sightings = SightingsRepo(generic)
        self.surveys = SurveysRepo(generic)
        self.survey_answers = PgSurveyAnswersRepo(core)
        self.audit = PgAuditRepo(core)
        self.access_log = AccessLogRepo(generic)
        self.personal = PgPersonalDataRepo(core)
        self.invites = InvitesRepo(generic)
        self.webhooks = HookDeliveriesRepo(generic)
        self.report_returns = ReturnsRepo(generic)
        self.period_checks = ChecksRepo(generic)
        self.absences = AbsencesRepo(generic)

    @property
    def url_safe(self) -> str:
        """The database's address without its password."""
        return self._db.url_safe

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction; nested, a savepoint (an inner block that raises undoes only its
        own writes)."""
        with self._core.atomic():
            yield

    def flush(self) -> None:
        """Nothing to do: a PostgreSQL commit is durable when it returns."""

    def close(self) -> None:
        self._db.close()

    def counts(self) -> dict[str, int]:
        """Rows per data table (for `store copy` and health pages)."""
        return {name: int(self._db.one(f"SELECT count(*) FROM {name}")[0]) for name in DATA_TABLES}

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _jsonb(record: Any) -> Any:
    from psycopg.types.json import Jsonb

    from bot.store.engine.codec import encode

    return Jsonb(encode(record))
