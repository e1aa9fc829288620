"""Builds the scheduler from config and the services (called by the composition root)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.models import Reminder, ReminderKind
from bot.delivery.quiet_hours import QuietHours
from scheduler.definitions import sync_definitions
from scheduler.engine import Engine

if TYPE_CHECKING:
    from bot.app.services import Services
    from bot.config.loading import Config
    from bot.core.clock import Clock
    from bot.delivery.outbox import Message
    from bot.store.base import Store


def build_engine(config: Config, store: Store, services: Services, *, clock: Clock) -> Engine:
    """Bring the config's schedules into the store, then one engine over all of them."""
    sync_definitions(store, config, clock)
    summary = services.people.registrations.summary  # officers' daily registrations, if chosen
    summary.sync()
    tz = config.tzinfo()
    s = config.scheduler

    def digest(rem: Reminder, moment: datetime) -> list[Message]:
        return services.digests.daily_messages(moment.astimezone(tz).date())

    engine = Engine(
        store=store, clock=clock, tz=tz, outbox=services.delivery.outbox,
        quiet=QuietHours(s.quiet_start, s.quiet_end, tz),
        grace=timedelta(minutes=s.grace_minutes), timing=services.reminders.next_moment,
        builders={ReminderKind.DIGEST: digest, ReminderKind.REGISTRATIONS: summary.messages,
                  ReminderKind.DHIS2: lambda rem, moment: []},
        default=services.reminders.messages,
        # The DHIS2 push is work, not messages: it runs once its firing is recorded.
        tasks={ReminderKind.DHIS2: services.dhis2.daily} if services.dhis2 else None,
    )  # fmt: skip
    services.reminders.on_change = engine.schedule
    summary.on_schedule = engine.schedule
    return engine
