"""Wiring: builds the platform adapters and the services from config (used by bot.app.runtime)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.app.platform_wiring import build_limiters
from bot.app.prompts import Prompts
from bot.app.services import (
    AuditDesk,
    DeliveryDesk,
    DirectivesDesk,
    FilesDesk,
    PeopleDesk,
    PrivacyDesk,
    Services,
)
from bot.app.webhooks import build_webhooks
from bot.core.areas import AreaTree
from bot.core.clock import Clock
from bot.core.events import Events
from bot.core.i18n import Translator
from bot.core.messages import ChatKind, ChatRef, UserRef
from bot.core.models import OutboxItem
from bot.core.platform import Platform
from bot.delivery.attachments import AttachmentResolver
from bot.delivery.file_store import FileLinks, FileStore
from bot.delivery.introduction import Introductions
from bot.delivery.link_signing import LinkSigner, load_or_create_secret
from bot.delivery.outbox import Backoff, Outbox
from bot.delivery.progress import Progress
from bot.delivery.quiet_hours import QuietHours
from bot.delivery.sender import Delivery
from bot.delivery.zalo_quota import Quotas
from bot.features.audit.log import AuditLog
from bot.features.audit.text import AuditText
from bot.features.broadcast.confirmations import PendingActions
from bot.features.clarifications.service import Clarifications
from bot.features.clarifications.text import ClarificationText
from bot.features.dhis2.service import Dhis2Push, build_push
from bot.features.digest.service import Digests
from bot.features.digest.text import DigestText
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
from bot.features.people.link_notices import LinkNotices
from bot.features.people.notices import RoleNotices
from bot.features.people.registration.approval_notices import ApprovalNotices
from bot.features.people.registration.registration_summary import RegistrationSummary
from bot.features.people.registration.registrations import Registrations
from bot.features.people.turnover import Turnover
from bot.features.people.zalo_seats import seats_from_config
from bot.features.privacy.housekeeping import Housekeeping
from bot.features.privacy.purge import build_privacy
from bot.features.questions.service import Questions
from bot.features.questions.text import QuestionText
from bot.features.reminders.service import Reminders
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes
from bot.features.review.service import Review
from bot.features.review.text import ReviewText
from bot.features.surveys.service import Surveys
from bot.features.surveys.text import SurveyText
from bot.web.api.reading import ApiData
from bot.web.api.routes import api_routes
from bot.web.downloads import Routes, file_routes

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.store.base import Store


def unreachable(chat: ChatRef, *, people: People, groups: Groups) -> None:
    """A platform refused a chat for good: a person cannot be reached privately, or the bot is
    out of a group; either way later sends skip it until the person or group comes back."""
    if chat.kind is ChatKind.PRIVATE:
        people.mark_unreachable(UserRef(chat.platform, chat.bot, chat.id).key)
    else:
        groups.mark_unreachable(chat.key)


def describe_target(store: Store, areas: AreaTree) -> Callable[[OutboxItem], str]:
    """How a bulk send's summary names a chat: the group's area, or the person."""

    def describe(item: OutboxItem) -> str:
        if item.chat_kind == "group":
            binding = store.groups.get(item.chat_key)
            if binding is not None and binding.area in areas:
                return areas.get(binding.area).name
            return binding.title if binding and binding.title else item.chat_key
        person = store.people.get(item.recipient) if item.recipient else None
        if person is None:
            platform, bot, chat_id = item.chat_key.split(":", 2)
            user_key = f"{platform}:{bot}:{chat_id}" if bot else f"{platform}:{chat_id}"
            person = store.people.by_account(user_key)
        return person.name if person else item.chat_key

    return describe


def quiet_hours(config: Config) -> QuietHours:
    s = config.scheduler
    return QuietHours(s.quiet_start, s.quiet_end, config.tzinfo())


def build_directives(
    config: Config,
    store: Store,
    *,
    areas: AreaTree,
    clock: Clock,
    outbox: Outbox,
    delivery: Delivery,
    translate: Translator,
    audit: AuditLog,
    events: Events | None = None,
) -> tuple[Directives, Acks, DirectiveFollowup, DirectiveText]:
    """Directives, their acknowledgements and their follow-up, sharing one text renderer."""
    text = DirectiveText(translate, config.tzinfo())
    settings = config.directives
    lang = config.language
    directives = Directives(
        store=store, areas=areas, clock=clock, tz=config.tzinfo(), outbox=outbox,
        delivery=delivery, pending=PendingActions(store=store, clock=clock), text=text,
        settings=settings, default_lang=lang, audit=audit,
    )  # fmt: skip
    acks = Acks(
        store=store, areas=areas, clock=clock, directives=directives, delivery=delivery,
        text=text, default_lang=lang, events=events,
    )  # fmt: skip
    followup = DirectiveFollowup(
        store=store, areas=areas, clock=clock, outbox=outbox, text=text, settings=settings,
        default_lang=lang, quiet=quiet_hours(config), workdays=config.holidays.calendar(),
        tz=config.tzinfo(),
    )  # fmt: skip
    return directives, acks, followup, text


def build_watch_and_surveys(
    config: Config,
    store: Store,
    *,
    areas: AreaTree,
    clock: Clock,
    outbox: Outbox,
    delivery: Delivery,
    pending: PendingActions,
    files: FileStore,
    links: FileLinks,
    translate: Translator,
    audit: AuditLog,
) -> tuple[Clarifications, Surveys]:
    """The rumour watch with its registry of clarifications, and surveys."""
    clarifications = Clarifications(
        store=store, areas=areas, clock=clock, tz=config.tzinfo(), outbox=outbox,
        delivery=delivery, files=files, links=links, text=ClarificationText(translate),
        default_lang=config.language, audit=audit,
    )  # fmt: skip
    surveys = Surveys(
        store=store, areas=areas, clock=clock, outbox=outbox, delivery=delivery, pending=pending,
        text=SurveyText(translate, config.tzinfo()),
        confirm_minutes=config.directives.confirm_minutes, default_lang=config.language,
        audit=audit,
    )  # fmt: skip
    return clarifications, surveys


def build_people(
    config: Config,
    store: Store,
    *,
    people: People,
    areas: AreaTree,
    clock: Clock,
    translate: Translator,
    notifier: Delivery,
    audit: AuditLog,
) -> PeopleDesk:
    """The directory with requests to join, invite codes of imported people, account links,
    the officers' turnover commands and the notes to whoever a role change is about."""
    reg = config.registration
    invites = Invites(
        store=store, areas=areas, clock=clock, translate=translate, audit=audit,
        ttl=timedelta(days=reg.invite_days),
        telegram_username=config.platforms.telegram.username,
    )  # fmt: skip
    seats = seats_from_config(config.platforms.zalo.bots)
    links = Links(
        store=store, people=people, clock=clock, audit=audit,
        ttl=timedelta(minutes=reg.link_code_minutes),
        notices=LinkNotices(delivery=notifier, tz=config.tzinfo()),
    )  # fmt: skip
    summary = RegistrationSummary(
        store=store, areas=areas, clock=clock, translate=translate, default_lang=config.language,
        running=lambda: set(notifier.platforms), at=reg.summary_at.strftime("%H:%M"),
    )  # fmt: skip
    registrations = Registrations(
        store=store, areas=areas, people=people, clock=clock, notifier=notifier, audit=audit,
        notices=ApprovalNotices(delivery=notifier, store=store), summary=summary,
        tz=config.tzinfo(),
    )  # fmt: skip
    return PeopleDesk(
        directory=people,
        registrations=registrations,
        invites=invites,
        links=links,
        turnover=Turnover(
            store=store, areas=areas, invites=invites, seats=seats, clock=clock, audit=audit
        ),
        notices=RoleNotices(notifier=notifier),
        link_minutes=reg.link_code_minutes,
        absences=Absences(
            store=store,
            areas=areas,
            clock=clock,
            tz=config.tzinfo(),
            audit=audit,
            notifier=notifier,
        ),
    )


def build_dhis2(
    config: Config,
    store: Store,
    *,
    areas: AreaTree,
    types: ReportTypes | None,
    translate: Translator,
    audit: AuditLog,
    outbox: Outbox,
) -> Dhis2Push | None:
    """The push to DHIS2 when config has a `dhis2:` section (its HTTP: bot/platforms)."""
    if config.dhis2 is None or types is None:
        return None
    from bot.platforms.http_post import post

    return build_push(
        config, store, areas=areas, types=types, translate=translate, audit=audit, post=post,
        queue=lambda messages: outbox.enqueue(messages, kind="dhis2"),
    )  # fmt: skip


def build_services(
    config: Config,
    store: Store,
    *,
    platforms: Mapping[tuple[str, str], Platform],
    clock: Clock,
    environ: Mapping[str, str],
) -> tuple[Services, Routes]:
    """Every service, wired once; also the web routes that serve file links and the API."""
    areas = AreaTree.from_config(config.areas)
    translate = Translator(config.language, headings=config.directives.heading.by_language())
    audit = AuditLog(store=store, clock=clock)  # the one trail every feature writes to
    admins = [(a.account, a.area or "") for a in config.admin_entries()]
    people = People(store=store, areas=areas, admins=admins, clock=clock, audit=audit)
    groups = Groups(
        store=store, areas=areas, clock=clock, audit=audit,
        limits={("zalo", b.name): b.max_groups for b in config.platforms.zalo.bots},
    )  # fmt: skip
    delivery = Delivery(
        platforms=platforms,
        translate=translate,
        default_lang=config.language,
        on_unreachable=lambda chat: unreachable(chat, people=people, groups=groups),
        people=store.people.all,
        admin_keys=[key for key, _ in admins],
        limiters=build_limiters(config, platforms),
    )
    quotas = Quotas(
        store=store, clock=clock, tz=config.tzinfo(), notifier=delivery,
        quotas={b.name: b.monthly_quota for b in config.platforms.zalo.bots},
        counts={b.name: b.quota_counts for b in config.platforms.zalo.bots},
        alert_ratio=config.delivery.quota_alert_percent / 100,
    )  # fmt: skip
    delivery.quotas = quotas
    if config.privacy.tell_automated:
        delivery.introductions = Introductions(store=store, translate=translate)
    progress = Progress(
        store=store, clock=clock, delivery=delivery, translate=translate,
        default_lang=config.language, describe=describe_target(store, areas),
    )  # fmt: skip
    # Several instances share one files folder (store.files_dir), and the links' secret with it,
    # so a link made by one instance opens on any.
    shared = config.store.files_dir
    files = FileStore(config.store.files_root(config.data_dir), clock=clock)
    secret = load_or_create_secret(shared or config.data_dir, environ)
    signer = LinkSigner(secret, clock=clock)
    links = FileLinks(files, signer, public_base_url=config.web.public_base_url)
    outbox = Outbox(
        store=store, clock=clock, delivery=delivery, quotas=quotas, progress=progress,
        files=AttachmentResolver(
            files=files, links=links, delivery=delivery, translate=translate,
            default_lang=config.language,
        ),
        concurrency=config.delivery.concurrency, max_attempts=config.delivery.max_attempts,
        backoff=Backoff(base=config.delivery.retry_base_seconds),
    )  # fmt: skip
    events = Events()  # what features announce; the outgoing webhooks listen (bot/core/events)
    directives, acks, followup, text = build_directives(
        config, store, areas=areas, clock=clock, outbox=outbox, delivery=delivery,
        translate=translate, audit=audit, events=events,
    )  # fmt: skip
    reg = config.registration
    workdays = config.holidays.calendar()  # days off: deadlines move, reminders wait
    types = (
        ReportTypes.from_config(
            config.report_types, default=config.default_report_type, workdays=workdays
        )
        if config.report_types
        else None
    )
    reports = Reports(
        store=store, areas=areas, types=types, clock=clock, tz=config.tzinfo(), events=events
    )
    hooks = build_webhooks(
        config, store, clock=clock, areas=areas, types=types, notifier=delivery, events=events
    )
    review = Review(
        reports=reports, outbox=outbox, text=ReviewText(translate, config.tzinfo()), audit=audit,
        events=events, default_lang=config.language,
    )  # fmt: skip
    events.subscribe(review.watch)  # a correction closes a return; a checked period is flagged
    digests = Digests(
        reports=reports, text=DigestText(translate, config.tzinfo()), settings=config.digest,
        default_lang=config.language, files=files, delivery=delivery,
    )  # fmt: skip
    question_text = QuestionText(translate, config.tzinfo())
    questions = Questions(
        store=store, areas=areas, clock=clock, people=people, outbox=outbox, text=question_text,
        settings=config.questions, default_lang=config.language, quiet=quiet_hours(config),
    )  # fmt: skip
    handbook = Handbook(
        store=store, areas=areas, clock=clock, files=files, links=links, delivery=delivery,
        questions=questions, translate=translate, audit=audit,
    )  # fmt: skip
    privacy, purge = build_privacy(
        config, store, clock=clock, files=files, translate=translate, audit=audit
    )
    clarifications, surveys = build_watch_and_surveys(
        config, store, areas=areas, clock=clock, outbox=outbox, delivery=delivery,
        pending=directives.pending, files=files, links=links, translate=translate, audit=audit,
    )  # fmt: skip
    people_desk = build_people(
        config, store, people=people, areas=areas, clock=clock, translate=translate,
        notifier=delivery, audit=audit,
    )  # fmt: skip
    housekeeping = Housekeeping(
        store=store, clock=clock, files=files, keep_days=config.delivery.keep_days, purge=purge,
    )  # fmt: skip
    reminders = Reminders(
        store=store, areas=areas, clock=clock, tz=config.tzinfo(), reports=reports,
        running=frozenset(platforms), translate=translate, default_lang=config.language,
        audit=audit, workdays=workdays,
    )  # fmt: skip
    services = Services(
        areas=areas,
        translate=translate,
        prompts=Prompts(store=store, clock=clock, ttl=timedelta(minutes=reg.prompt_minutes)),
        delivery=DeliveryDesk(sender=delivery, outbox=outbox, quotas=quotas, hooks=hooks),
        files=FilesDesk(store=files, links=links, sender=delivery),
        people=people_desk,
        groups=groups,
        privacy=PrivacyDesk(consent=privacy, housekeeping=housekeeping),
        audit=AuditDesk(log=audit, text=AuditText(translate, config.tzinfo(), areas, store)),
        reports=reports,
        review=review,
        reminders=reminders,
        digests=digests,
        directives=DirectivesDesk(service=directives, acks=acks, followup=followup, text=text),
        confirmations=directives.pending,
        surveys=surveys,
        questions=questions,
        handbook=handbook,
        clarifications=clarifications,
        dhis2=build_dhis2(
            config,
            store,
            areas=areas,
            types=types,
            translate=translate,
            audit=audit,
            outbox=outbox,
        ),
    )
    api = ApiData(store=store, areas=areas, reports=reports, builder=digests.builder)
    return services, file_routes(
        files, signer, revoked=privacy.link_revoked, served=privacy.link_served
    ) + api_routes(api, config.api, base_url=config.web.public_base_url)
