"""The retention purge: personal data past its kind's retention is removed or blanked.

A report's numbers are the statistics and stay for good; past `report_text` its free-text
fields are blanked and its photo deleted. Questions and answers lose their text; stored events
waiting to be handled are dropped; sent messages lose their text; rumour sightings lose sender
and text; audit and access-log entries are deleted. Only what is past its cut-off is touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.audit.log import AuditLog
from bot.features.privacy.consent import Privacy
from bot.features.privacy.housekeeping import kept_files

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.config.privacy import PrivacySection
    from bot.config.reports import ReportTypeConfig
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.delivery.file_store import FileStore
    from bot.store.base import Store

log = logging.getLogger(__name__)

# Report versions received before this POSIX time were scrubbed already: each run reads only
# the index rows after it, so a store of 100k reports is not reloaded every time.
WATERMARK = "privacy.reports_scrubbed_until"


class RetentionPurge:
    """Run from housekeeping; each run is cheap and safe to repeat."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        files: FileStore,
        settings: PrivacySection,
        text_fields: Mapping[str, Collection[str]],
        kept_files: Callable[[], set[str]],
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.clock = clock
        self.files = files
        self.settings = settings
        self.text_fields = text_fields
        self.kept_files = kept_files
        self.audit = audit

    def cutoff(self, kind: str, now: datetime) -> datetime:
        return now - timedelta(days=self.settings.days(kind))

    def run_once(self) -> dict[str, int]:
        now = self.clock.now()
        store, cut = self.store, self.cutoff
        report_cut = cut("report_text", now)
        since = float(store.meta.get(WATERMARK, float("-inf")))
        with store.atomic():
            reports, photos = store.personal.scrub_reports(
                since=since, before=report_cut, text_fields=self.text_fields
            )
            if report_cut.timestamp() > since:
                store.meta.set(WATERMARK, report_cut.timestamp())
            removed = {
                "report_text": reports,
                "questions": store.personal.scrub_questions(before=cut("questions", now)),
                # An officer's reason for returning a report is free text about it.
                "return_reasons": store.personal.scrub_return_reasons(before=report_cut),
                "inbox": store.personal.purge_inbox(before=cut("inbox", now)),
                "outbox": store.personal.scrub_outbox(before=cut("outbox", now)),
                "sightings": store.personal.scrub_sightings(before=cut("sightings", now)),
                "audit": store.audit.remove_before(cut("audit", now)),
                "access_log": store.access_log.remove_before(cut("access_log", now)),
            }
        deleted = sum(self.files.delete(file_id) for file_id in photos)
        deleted += self.files.purge(before=cut("files", now), keep=self.kept_files())
        removed["files"] = deleted
        if any(removed.values()):
            self.audit.record(
                "privacy.purge", who="bot", where="housekeeping",
                detail={k: v for k, v in removed.items() if v},
            )  # fmt: skip
            log.info("retention purge %s", removed)
        return removed


def text_fields_of(report_types: Iterable[ReportTypeConfig]) -> dict[str, frozenset[str]]:
    """Report type code → its free-text field codes (from config's report types)."""
    return {
        rt.code: frozenset(f.code for f in rt.fields if f.type == "text") for rt in report_types
    }


def build_privacy(
    config: Config,
    store: Store,
    *,
    clock: Clock,
    files: FileStore,
    translate: Translator,
    audit: AuditLog,
) -> tuple[Privacy, RetentionPurge]:
    """The consent service and the retention purge, from config (used by bot.app.wiring)."""
    privacy = Privacy(
        store=store, clock=clock, tz=config.tzinfo(), translate=translate,
        settings=config.privacy, audit=audit,
    )  # fmt: skip
    purge = RetentionPurge(
        store=store, clock=clock, files=files, settings=config.privacy,
        text_fields=text_fields_of(config.report_types), kept_files=lambda: kept_files(store),
        audit=audit,
    )  # fmt: skip
    return privacy, purge
