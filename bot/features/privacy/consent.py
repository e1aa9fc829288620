"""Consent to the privacy notice, the gate in front of what stores a person's data, and the
access log of personal data."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from bot.core.admin_records import AccessEntry
from bot.core.messages import Button
from bot.core.models import Person
from bot.features.audit.access_log import record_access
from bot.features.audit.log import AuditLog

if TYPE_CHECKING:
    from bot.config.privacy import PrivacySection
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.core.messages import Incoming
    from bot.store.base import Store

log = logging.getLogger(__name__)

CONSENT_DATA = "consent:yes"  # the button's callback data
CONSENT_TYPED = "dong y"  # its typed twin (folded "đồng ý")
NOTICE_DATA = "notice:full"  # the button that shows the whole notice (handlers/start.py)
NOTICE_TYPED = "/dulieu"  # its typed twin: the command that shows it
# The handlers that store what a person sends (a report, a question, a registration, a survey
# answer): without consent they do not run. Named by module and function, checked by a test.
STORES_DATA = frozenset(
    {
        "handlers.reports.report",
        "handlers.reports.report_edited",
        "handlers.reports.confirm_duplicate",
        "handlers.reports.correct",
        "handlers.report_form.form_typed",
        "handlers.report_form.form_button",
        "handlers.questions.ask",
        "handlers.register.register",
        "handlers.register.register_pick",
        "handlers.surveys.poll_vote",
        "handlers.surveys.typed_answer",
    }
)
Buttons = tuple[tuple[Button, ...], ...]


def handler_name(handler: Callable[..., Any]) -> str:
    return f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', '')}"


class Privacy:
    """Who agreed to which version of the notice, and what the bot says until they do."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        tz: tzinfo,
        translate: Translator,
        settings: PrivacySection,
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.translate = translate
        self.settings = settings
        self.audit = audit
        self._told: dict[tuple[str, str], date] = {}  # (chat, account) → day the notice went

    # -- consent -------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return self.settings.notice_version

    def needs_consent(self, person: Person | None) -> bool:
        """True when this person must agree before the bot stores what they send."""
        if not self.settings.consent_required:
            return False
        return person is None or person.consent_version < self.version

    def consent(
        self, person: Person, *, who: str, where: str, via: str, version: int | None = None
    ) -> Person:
        """Record that `person` agreed to the notice `version` (default: the current one) now."""
        agreed = replace(
            person, consent_at=self.clock.now(), consent_version=version or self.version
        )
        with self.store.atomic():
            self.store.people.save(agreed)
            self.audit.record(
                "consent.given", who=who, where=where, target=f"person:{person.id}",
                detail={"version": agreed.consent_version, "via": via},
            )  # fmt: skip
        return agreed

    def withdraw(self, person: Person, *, who: str, where: str) -> Person:
        """Withdraw consent: the bot stores nothing more from them; what it has stays until
        its retention ends or an admin erases it (`python -m bot people erase`)."""
        withdrawn = replace(person, consent_at=None, consent_version=0)
        with self.store.atomic():
            self.store.people.save(withdrawn)
            self.audit.record(
                "consent.withdrawn", who=who, where=where, target=f"person:{person.id}"
            )
        return withdrawn

    # -- the notice and the gate -----------------------------------------------------------------

    def notice(self, lang: str) -> str:
        return self.translate(lang, "privacy.notice", days=self.settings.retention_days)

    def summary(self, lang: str) -> str:
        """The notice in one line, for a screen that offers the whole of it a tap away."""
        return self.translate(lang, "privacy.summary")

    def buttons(self, lang: str, *, consent: bool = True, notice: bool = False) -> Buttons:
        """The consent button and, with `notice`, the one that shows the whole notice."""
        rows: list[tuple[Button, ...]] = []
        if consent:
            label = self.translate(lang, "consent.button")
            rows.append((Button(label, CONSENT_DATA, typed=CONSENT_TYPED),))
        if notice:
            label = self.translate(lang, "privacy.notice_button")
            rows.append((Button(label, NOTICE_DATA, typed=NOTICE_TYPED),))
        return tuple(rows)

    def welcome(self, text: str, person: Person, lang: str) -> tuple[str, Buttons]:
        """A welcome (after an invite binds an account) with the notice in one line, the
        whole notice a tap away and the consent button, while this person has not agreed:
        binding an account is not consent."""
        if not self.needs_consent(person):
            return text, ()
        ask = self.translate(lang, "privacy.agree_to_send")
        return f"{text}\n\n{self.summary(lang)}\n{ask}", self.buttons(lang, notice=True)

    def gates(self, handler: Callable[..., Any]) -> bool:
        """Whether `handler` stores what a person sends (and so waits for their consent)."""
        return handler_name(handler) in STORES_DATA

    def refusal(
        self, inc: Incoming, person: Person | None, lang: str
    ) -> tuple[str, Buttons] | None:
        """None when `person` may send data; else what to answer instead: the whole notice
        once a chat and day, a short line after that (nothing is stored either way)."""
        if not self.needs_consent(person):
            return None
        today = self.clock.now().astimezone(self.tz).date()
        told = (inc.chat.key, inc.sender.key)
        log.info("consent missing; nothing stored chat_kind=%s", inc.chat.kind.value)
        if self._told.get(told) == today:
            return self.translate(lang, "consent.still_needed"), self.buttons(lang)
        if len(self._told) > 10_000:  # one entry per chat and person: forget other days'
            self._told = {k: v for k, v in self._told.items() if v == today}
        self._told[told] = today
        text = "\n\n".join([self.translate(lang, "consent.needed"), self.notice(lang)])
        return text, self.buttons(lang)

    # -- signed links ---------------------------------------------------------------------------

    def link_revoked(self, person_id: int) -> bool:
        """A signed link issued to an erased person no longer works."""
        person = self.store.people.get(person_id) if person_id else None
        return person is not None and person.erased_at is not None

    def link_served(self, file_id: str, person_id: int) -> None:
        """A download through a signed link goes into the access log (erase drops it)."""
        subject = f"person:{person_id}" if person_id else ""
        self.record_access(
            "file.download", who=subject or "link", where="web", subject=subject,
            detail={"file": file_id},
        )  # fmt: skip

    # -- the access log ------------------------------------------------------------------------

    def record_access(
        self,
        what: str,
        *,
        who: str,
        where: str,
        subject: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AccessEntry:
        """Note one look at personal data (an export, a download)."""
        return record_access(
            self.store, self.clock, what, who=who, where=where, subject=subject, detail=detail
        )

