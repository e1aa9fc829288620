"""`Services` bundles the features for handlers (built once by bot.app.wiring): one entry object
per capability, so a handler of a capability reaches one object (`ctx.services.people`,
`ctx.services.directives`…). A capability whose service holds everything it shows (its text,
its settings) is its own entry; where the pieces are separate objects a small desk below
holds them together. Handlers reach no delivery object: `Context` speaks for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.delivery.attachments import keep_attachment

if TYPE_CHECKING:
    from bot.app.prompts import Prompts
    from bot.core.areas import AreaTree
    from bot.core.i18n import Translator
    from bot.core.messages import Incoming
    from bot.core.models import OutboxFile
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.outbox import Outbox
    from bot.delivery.sender import Delivery
    from bot.delivery.webhook_outbox import WebhookOutbox
    from bot.delivery.zalo_quota import Quotas
    from bot.features.audit.log import AuditLog
    from bot.features.audit.text import AuditText
    from bot.features.broadcast.confirmations import PendingActions
    from bot.features.clarifications.service import Clarifications
    from bot.features.dhis2.service import Dhis2Push
    from bot.features.digest.service import Digests
    from bot.features.directives.acks import Acks
    from bot.features.directives.followup import DirectiveFollowup
    from bot.features.directives.service import Directives
    from bot.features.directives.text import DirectiveText
    from bot.features.groups.service import Groups
    from bot.features.handbook.service import Handbook
    from bot.features.people.absences import Absences
    from bot.features.people.account_links import Links
    from bot.features.people.directory import People
    from bot.features.people.invites import Invites
    from bot.features.people.notices import RoleNotices
    from bot.features.people.registration.registrations import Registrations
    from bot.features.people.turnover import Turnover
    from bot.features.privacy.consent import Privacy
    from bot.features.privacy.housekeeping import Housekeeping
    from bot.features.questions.service import Questions
    from bot.features.reminders.service import Reminders
    from bot.features.reports.service import Reports
    from bot.features.review.service import Review
    from bot.features.surveys.service import Surveys


@dataclass(frozen=True, slots=True)
class DeliveryDesk:
    """What leaves the bot: the one send path, the durable bulk outbox and Zalo's quotas (the
    composition root's and `Context`'s, never a handler's own)."""

    sender: Delivery
    outbox: Outbox
    quotas: Quotas
    hooks: WebhookOutbox | None = None  # events POSTed to other systems (docs/webhooks.md)


@dataclass(frozen=True, slots=True)
class FilesDesk:
    """Files kept on disk and the signed links that serve them where a chat takes no file."""

    store: FileStore
    links: FileLinks
    sender: Delivery  # fetches the file a person sent from their platform

    async def keep_attachment(self, inc: Incoming, *, owner: int | None) -> OutboxFile | None:
        """The document or photo sent with the command (or with the message it replies to),
        kept in the store; None when there is none."""
        return await keep_attachment(inc, delivery=self.sender, files=self.store, owner=owner)


@dataclass(frozen=True, slots=True)
class PeopleDesk:
    """Who is who: the directory, requests to join, invites, account links, turnover, the
    notes to someone whose role an officer changed, and days away."""

    directory: People
    registrations: Registrations
    invites: Invites
    links: Links
    turnover: Turnover
    notices: RoleNotices
    link_minutes: int  # how long a /lienket code lives
    absences: Absences  # /vang: days away, when no reminder or chase reaches someone


@dataclass(frozen=True, slots=True)
class DirectivesDesk:
    """Directives: the rules of sending, the acknowledgements, the chases and deadline
    summaries, and the text they share."""

    service: Directives
    acks: Acks
    followup: DirectiveFollowup
    text: DirectiveText


@dataclass(frozen=True, slots=True)
class PrivacyDesk:
    """Consent to the privacy notice, and the periodic clean-up with its retention purge."""

    consent: Privacy
    housekeeping: Housekeeping


@dataclass(frozen=True, slots=True)
class AuditDesk:
    """The one audit trail every feature writes to, and how /nhatky shows it."""

    log: AuditLog
    text: AuditText


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a handler may call; no store and no platform SDK is reachable from here."""

    areas: AreaTree
    translate: Translator
    prompts: Prompts
    delivery: DeliveryDesk  # Context's and the composition root's; a handler asks ctx
    files: FilesDesk
    people: PeopleDesk
    groups: Groups
    privacy: PrivacyDesk
    audit: AuditDesk
    reports: Reports
    review: Review  # officers return, accept and check reports (/tralai, /daduyet)
    reminders: Reminders
    digests: Digests
    directives: DirectivesDesk
    confirmations: PendingActions  # what waits for /xacnhan: a directive's or a survey's preview
    surveys: Surveys
    questions: Questions
    handbook: Handbook
    clarifications: Clarifications
    dhis2: Dhis2Push | None = None  # the scheduler's daily push to DHIS2 (no handler uses it)
