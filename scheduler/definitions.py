"""Keep the store's config-made schedules (the digest, config.yaml's reminders) in step with
the file: added, changed, or switched off when removed, their last firing always kept."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.config.reminders import WEEKDAY_NAMES, ReminderConfig
from bot.core.models import Reminder, ReminderKind

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)

DIGEST_SOURCE = "config:digest"
DHIS2_SOURCE = "config:dhis2"


def from_config(rc: ReminderConfig) -> Reminder:
    return Reminder(
        id=0, kind=ReminderKind(rc.kind), at=rc.at.strftime("%H:%M"), text=rc.text.strip(),
        areas=rc.areas, day_of_month=rc.day_of_month,
        weekday=WEEKDAY_NAMES.index(rc.weekday) if rc.weekday else None,
        report_type=rc.report_type, days_before=rc.days_before,
        on_date=rc.on_date.isoformat() if rc.on_date else "",
        offsets=rc.offsets if rc.kind == "campaign" else (), source=f"config:{rc.name}",
    )  # fmt: skip


def sync_definitions(store: Store, config: Config, clock: Clock) -> None:
    now = clock.now()
    wanted = {
        DIGEST_SOURCE: Reminder(
            id=0,
            kind=ReminderKind.DIGEST,
            at=config.digest.at.strftime("%H:%M"),
            source=DIGEST_SOURCE,
            active=config.digest.enabled,
        )
    }
    for rc in config.reminders:
        rem = from_config(rc)
        wanted[rem.source] = rem
    if config.dhis2 is not None and config.dhis2.daily_at is not None:
        at = config.dhis2.daily_at.strftime("%H:%M")
        wanted[DHIS2_SOURCE] = Reminder(id=0, kind=ReminderKind.DHIS2, at=at, source=DHIS2_SOURCE)
    existing = {r.source: r for r in store.reminders.all() if r.source.startswith("config:")}
    with store.atomic():
        for source, rem in wanted.items():
            old = existing.get(source)
            if old is None:
                # Nothing before today's start is due: a new definition starts from now.
                store.reminders.add(replace(rem, created_at=now, last_fired=now))
                log.info("schedule %s added from config", source)
                continue
            same = replace(rem, id=old.id, created_at=old.created_at, last_fired=old.last_fired)
            if same == old:
                continue
            store.reminders.save(same)
            log.info("schedule %s changed in config", source)
        for source, old in existing.items():
            if source not in wanted and old.active:
                store.reminders.save(replace(old, active=False))
                log.info("schedule %s removed from config: switched off", source)
