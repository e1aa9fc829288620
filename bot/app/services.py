"""`Services` bundles the features for handlers (built once by bot.app.wiring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.prompts import Prompts
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.delivery.zalo_quota import Quotas
    from bot.features.audit.log import AuditLog
    from bot.features.audit.text import AuditText
    from bot.features.broadcast.confirmations import PendingActions
    from bot.features.clarifications.service import Clarifications
    from bot.features.clarifications.text import ClarificationText
    from bot.features.digest.service import Digests
    from bot.features.directives.acks import Acks
    from bot.features.directives.followup import DirectiveFollowup
    from bot.features.directives.service import Directives
    from bot.features.directives.text import DirectiveText
    from bot.features.groups.service import Groups
    from bot.features.handbook.service import Handbook
    from bot.features.people.account_links import Links
    from bot.features.people.directory import People
    from bot.features.people.invites import Invites
    from bot.features.people.registrations import Registrations
    from bot.features.people.turnover import Turnover
    from bot.features.privacy.consent import Privacy
    from bot.features.privacy.housekeeping import Housekeeping
    from bot.features.questions.service import Questions
    from bot.features.questions.text import QuestionText
    from bot.features.reminders.service import Reminders
    from bot.features.reports.service import Reports
    from bot.features.surveys.service import Surveys
    from bot.features.surveys.text import SurveyText


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a handler may call; no store and no platform SDK is reachable from here."""

    areas: AreaTree
    clock: Clock
    translate: Translator
    people: People
    registrations: Registrations
    groups: Groups
    links: Links
    invites: Invites
    turnover: Turnover
    prompts: Prompts
    delivery: Delivery
    outbox: Outbox
    quotas: Quotas
    files: FileStore
    file_links: FileLinks
    reports: Reports
    reminders: Reminders
    housekeeping: Housekeeping
    pending: PendingActions
    directives: Directives
    acks: Acks
    directive_text: DirectiveText
    directive_followup: DirectiveFollowup
    digests: Digests
    questions: Questions
    question_text: QuestionText
    handbook: Handbook
    clarifications: Clarifications
    clarification_text: ClarificationText
    surveys: Surveys
    survey_text: SurveyText
    audit: AuditLog
    privacy: Privacy
    audit_text: AuditText
    link_minutes: int
