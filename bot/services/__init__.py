"""Services hold the rules; `Services` bundles them for handlers (built once in bot.app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.areas import AreaTree
    from bot.clock import Clock
    from bot.i18n import Translator
    from bot.services.audit import AuditLog
    from bot.services.audit_text import AuditText
    from bot.services.clarification_text import ClarificationText
    from bot.services.clarifications import Clarifications
    from bot.services.delivery import Delivery
    from bot.services.digest import Digests
    from bot.services.directive_acks import Acks
    from bot.services.directive_followup import DirectiveFollowup
    from bot.services.directive_text import DirectiveText
    from bot.services.directives import Directives
    from bot.services.files import FileLinks, FileStore
    from bot.services.groups import Groups
    from bot.services.handbook import Handbook
    from bot.services.housekeeping import Housekeeping
    from bot.services.invites import Invites
    from bot.services.links import Links
    from bot.services.outbox import Outbox
    from bot.services.pending import PendingActions
    from bot.services.privacy import Privacy
    from bot.services.prompts import Prompts
    from bot.services.question_text import QuestionText
    from bot.services.questions import Questions
    from bot.services.quota import Quotas
    from bot.services.registrations import Registrations
    from bot.services.registry import People
    from bot.services.reminders import Reminders
    from bot.services.reports import Reports
    from bot.services.survey_text import SurveyText
    from bot.services.surveys import Surveys
    from bot.services.turnover import Turnover


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
