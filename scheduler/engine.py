"""The scheduler: APScheduler fires each stored reminder when it is due; whether a firing is
due, missed or done comes from the reminder's stored last firing, saved in the same commit as
the messages the firing queues in the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.errors import UserError
from bot.core.models import Reminder, ReminderKind
from scheduler.clock_trigger import ClockTrigger

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.clock import Clock
    from bot.delivery.outbox import Message, Outbox
    from bot.delivery.quiet_hours import QuietHours
    from bot.store.base import Store

log = logging.getLogger(__name__)

Builder = Callable[[Reminder, datetime], list["Message"]]
# A firing that is work rather than messages (the DHIS2 push): run once the firing is recorded.
Task = Callable[[Reminder, datetime], Awaitable[None]]
Timing = Callable[[Reminder, datetime], datetime | None]
MAX_CATCH_UP = 10_000  # moments skipped in one go (a daily reminder down for 27 years)


class Engine:
    """One APScheduler job per active reminder, plus the periodic sweeps."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        outbox: Outbox,
        quiet: QuietHours,
        grace: timedelta,
        timing: Timing,
        builders: Mapping[ReminderKind, Builder],
        default: Builder,
        tasks: Mapping[ReminderKind, Task] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.outbox = outbox
        self.quiet = quiet
        self.grace = grace
        self.timing = timing
        self.builders = builders
        self.default = default
        self.tasks = dict(tasks or {})
        self.instance = ""  # which instance fires (several on one database: the leader)
        self._running: set[asyncio.Task[None]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone=tz,
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._unsubscribe: Callable[[], None] | None = None

    # --- life ---------------------------------------------------------------------------------

    def start(self, sweeps: Mapping[str, tuple[float, Callable[[], Awaitable[object]]]]) -> int:
        """Fire what was missed while down (within the grace), then schedule everything.
        Must run inside the event loop. Returns how many reminders fired at start."""
        fired = sum(1 for rem in self.store.reminders.all() if rem.active and self.run_due(rem.id))
        self.scheduler.start()
        for rem in self.store.reminders.all():
            if rem.active:
                self.schedule(rem.id)
        for name, (seconds, sweep) in sweeps.items():
            self.scheduler.add_job(
                sweep, IntervalTrigger(seconds=seconds, timezone=self.tz), id=f"sweep:{name}",
                name=name, replace_existing=True,
            )  # fmt: skip
        subscribe = getattr(self.clock, "subscribe", None)
        if subscribe is not None:
            self._unsubscribe = subscribe(self.retime)
        return fired

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in self._running:
            task.cancel()  # a push cut off here is sent again by the next firing or the CLI

    # --- jobs ---------------------------------------------------------------------------------

    def schedule(self, reminder_id: int) -> None:
        """(Re)schedule one reminder after it was added, changed or deleted."""
        job_id = f"reminder:{reminder_id}"
        rem = self.store.reminders.get(reminder_id)
        if rem is None or not rem.active:
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
            return
        trigger = ClockTrigger(lambda: self.next_effective(reminder_id), self.clock)
        self.scheduler.add_job(
            self._fire, trigger, args=[reminder_id], id=job_id, name=job_id,
            replace_existing=True,
        )  # fmt: skip

    def resync(self) -> None:
        """Schedule again every stored reminder: another instance may have added, changed or
        stopped one (several instances on one database; the leader calls it now and then)."""
        if not self.scheduler.running:
            return
        stored = {rem.id for rem in self.store.reminders.all()}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("reminder:") and int(job.id.partition(":")[2]) not in stored:
                self.scheduler.remove_job(job.id)
        for reminder_id in stored:
            self.schedule(reminder_id)

    def retime(self) -> None:
        """The clock moved (tests): every job asks its trigger again."""
        if not self.scheduler.running:
            return
        for job in self.scheduler.get_jobs():
            if job.id.startswith("reminder:"):
                reminder_id = int(job.id.partition(":")[2])
                self.schedule(reminder_id)
        self.scheduler.wakeup()

    async def _fire(self, reminder_id: int) -> None:
        try:
            self.run_due(reminder_id)
        except Exception:
            log.exception("reminder=%s firing failed", reminder_id)

    # --- one reminder -------------------------------------------------------------------------

    def effective(self, moment: datetime) -> datetime:
        """When a moment may speak: itself, or the end of the quiet hours it falls in."""
        return self.quiet.release(moment)

    def next_effective(self, reminder_id: int) -> datetime | None:
        rem = self.store.reminders.get(reminder_id)
        if rem is None or not rem.active:
            return None
        moment = self.timing(rem, self._since(rem))
        return None if moment is None else self.effective(moment)

    def _since(self, rem: Reminder) -> datetime:
        return rem.last_fired or rem.created_at or self.clock.now()

    def run_due(self, reminder_id: int) -> bool:
        """Handle the moments of the reminder that have come: the latest one is sent if it is
        no later than the grace, the older ones (and a too-late one) are recorded as missed.
        Returns whether messages were queued."""
        rem = self.store.reminders.get(reminder_id)
        if rem is None or not rem.active:
            return False
        now = self.clock.now()
        due: list[datetime] = []
        moment = self.timing(rem, self._since(rem))
        while moment is not None and self.effective(moment) <= now and len(due) < MAX_CATCH_UP:
            due.append(moment)
            moment = self.timing(rem, moment)
        if not due:
            return False
        latest = due[-1]
        late = now - self.effective(latest)
        messages: list[Message] = []
        if late <= self.grace:
            messages = self.builders.get(rem.kind, self.default)(rem, latest)
        else:
            log.warning("reminder=%s missed %s by %s (grace %s)", rem.id, latest, late, self.grace)
        done = replace(rem, last_fired=latest, active=moment is not None)
        try:
            with self.store.atomic():
                # Keyed by (reminder, moment) under a unique constraint: after a failover the
                # new leader never fires a moment the old one did.
                if not self.store.reminders.claim_firing(rem.id, latest, by=self.instance):
                    log.info("reminder=%s for %s fired already elsewhere", rem.id, latest)
                    return False
                if messages:
                    self.outbox.enqueue(
                        messages, kind=f"reminder.{rem.kind}", ref=f"reminder:{rem.id}"
                    )
                self.store.reminders.save(done)
        except UserError as exc:  # a Zalo quota that cannot cover it: recorded, not retried
            log.warning("reminder=%s not sent: %s", rem.id, exc.key)
            with self.store.atomic():
                if self.store.reminders.claim_firing(rem.id, latest, by=self.instance):
                    self.store.reminders.save(done)
            return False
        log.info("reminder=%s fired for %s: %d messages", rem.id, latest, len(messages))
        work = self.tasks.get(rem.kind)
        if work is not None and late <= self.grace:
            self._start(rem, work(rem, latest))
            return True
        return bool(messages)

    def _start(self, rem: Reminder, work: Awaitable[None]) -> None:
        """Run a firing's work beside the scheduler (the firing is recorded already, so it
        happens once); a failure is logged, never raised into APScheduler."""

        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("reminder=%s kind=%s work failed", rem.id, rem.kind)

        task = asyncio.get_running_loop().create_task(guarded())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
