"""Progress and results of bulk sends, told to whoever started them."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.clock import LoopTicker, Ticker
from bot.core.messages import ChatKind, Outgoing
from bot.core.models import JobStatus, OutboxItem, OutboxJob, OutboxStatus
from bot.delivery.sender import chat_from_key

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.delivery.sender import Delivery
    from bot.store.base import Store

log = logging.getLogger(__name__)

EDIT_EVERY = 2.0  # seconds between progress edits: one chat takes about one message a second
MAX_LISTED = 15  # failures named in the final summary; the rest are counted


class Progress:
    """Keeps per-job counts; Telegram sees one message edited in place, Zalo a final summary."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        delivery: Delivery,
        translate: Translator,
        default_lang: str,
        describe: Callable[[OutboxItem], str],
        ticker: Ticker | None = None,
    ) -> None:
        """`ticker` spaces the progress edits (the event loop's time unless a test gives one)."""
        self.store = store
        self.clock = clock
        self.ticker = ticker or LoopTicker()
        self.delivery = delivery
        self.translate = translate
        self.default_lang = default_lang
        self.describe = describe
        # Several instances send one job's items: none sees them all, so the counts come from
        # the store; the one that records the last item finishes the job (once: finish_job),
        # and the leader edits the progress (sweep(), which also finishes a job whose last
        # sender died).
        self.shared = False
        self._counts: dict[int, Counter[str]] = {}
        self._last_edit: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _lang(self, job: OutboxJob) -> str:
        person = self.store.people.get(job.requested_by) if job.requested_by else None
        return (person.language if person else "") or self.default_lang

    def started(self, job: OutboxJob) -> None:
        self._counts[job.id] = Counter()
        if job.report_chat and self._edits(job):
            task = asyncio.create_task(self._first_message(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def resume(self, job: OutboxJob) -> None:
        self._counts[job.id] = self._stored_counts(job)

    def _stored_counts(self, job: OutboxJob) -> Counter[str]:
        counts: Counter[str] = Counter()
        for item in self.store.outbox.for_job(job.id):
            if item.status not in (OutboxStatus.PENDING, OutboxStatus.INFLIGHT):
                counts[str(item.status)] += 1
                counts["done"] += 1
        return counts

    async def sweep(self) -> None:
        """Several instances (run by the leader): each running job's progress from the store,
        edited in place; a job whose items are all done is finished and its requester told."""
        for job in self.store.outbox.jobs(status=JobStatus.RUNNING):
            counts = self._counts[job.id] = self._stored_counts(job)
            try:
                if counts["done"] >= job.total:
                    await self.finish(job)
                elif job.progress_message_id:
                    await self._edit(job, counts["done"])
            except Exception:
                log.exception("outbox job=%s: progress not told", job.id)

    def _edits(self, job: OutboxJob) -> bool:
        chat = chat_from_key(job.report_chat, ChatKind.PRIVATE)
        caps = self.delivery.caps(chat)
        return bool(caps and caps.edits)

    async def _first_message(self, job: OutboxJob) -> None:
        chat = chat_from_key(job.report_chat, ChatKind.PRIVATE)
        text = self.translate(self._lang(job), "outbox.progress", done=0, total=job.total)
        sent = await self.delivery.send(Outgoing(chat, text), lang=self._lang(job))
        if sent is not None:
            current = self.store.outbox.get_job(job.id) or job
            self.store.outbox.save_job(replace(current, progress_message_id=sent.first_id))

    async def item_done(self, item: OutboxItem) -> None:
        if self.shared:
            if self.store.outbox.unfinished(item.job_id) == 0:
                job = self.store.outbox.get_job(item.job_id)
                if job is not None and job.status is JobStatus.RUNNING:
                    self._counts[job.id] = self._stored_counts(job)
                    await self.finish(job)
            return
        counts = self._counts.setdefault(item.job_id, Counter())
        counts[str(item.status)] += 1
        counts["done"] += 1
        job = self.store.outbox.get_job(item.job_id)
        if job is None or job.status is not JobStatus.RUNNING:
            return
        if counts["done"] >= job.total:
            await self.finish(job)
            return
        now = self.ticker.monotonic()
        last = self._last_edit.get(job.id)
        if job.progress_message_id and (last is None or now - last >= EDIT_EVERY):
            self._last_edit[job.id] = now
            await self._edit(job, counts["done"])

    async def _edit(self, job: OutboxJob, done: int) -> None:
        chat = chat_from_key(job.report_chat, ChatKind.PRIVATE)
        text = self.translate(self._lang(job), "outbox.progress", done=done, total=job.total)
        await self.delivery.edit(chat, job.progress_message_id, text, urgent=False)

    async def finish(self, job: OutboxJob) -> None:
        """Record the result and tell the requester what went out and what did not, and why."""
        if self._tasks:  # the first progress message may still be on its way
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            job = self.store.outbox.get_job(job.id) or job
        counts = self._counts.pop(job.id, Counter())
        self._last_edit.pop(job.id, None)
        summary = {k: v for k, v in counts.items() if k != "done"}
        held = counts[str(OutboxStatus.HELD)]
        status = JobStatus.STOPPED if held else JobStatus.DONE
        job = replace(job, status=status, finished_at=self.clock.now(), summary=summary)
        if not self.store.outbox.finish_job(job):
            return  # finished already, by another instance: it tells the requester
        log.info("outbox job=%s finished %s", job.id, summary)
        if not job.report_chat:
            return
        lang = self._lang(job)
        text = self._summary_text(job, counts, lang)
        chat = chat_from_key(job.report_chat, ChatKind.PRIVATE)
        if job.progress_message_id and await self.delivery.edit(
            chat, job.progress_message_id, text
        ):
            return
        await self.delivery.send(Outgoing(chat, text), lang=lang)

    def _summary_text(self, job: OutboxJob, counts: Counter[str], lang: str) -> str:
        t = self.translate
        sent = counts[str(OutboxStatus.SENT)]
        lines = [t(lang, "outbox.done", sent=sent, total=job.total)]
        problems = [
            i for i in self.store.outbox.for_job(job.id)
            if i.status in (OutboxStatus.FAILED, OutboxStatus.UNREACHABLE, OutboxStatus.HELD)
        ]  # fmt: skip
        for item in problems[:MAX_LISTED]:
            reason = t(lang, f"outbox.reason.{item.status}")
            lines.append(t(lang, "outbox.problem", chat=self.describe(item), reason=reason))
        if len(problems) > MAX_LISTED:
            lines.append(t(lang, "outbox.more", count=len(problems) - MAX_LISTED))
        repeated = sum(1 for i in self.store.outbox.for_job(job.id) if i.possibly_repeated)
        if repeated:
            lines.append(t(lang, "outbox.repeated", count=repeated))
        return "\n".join(lines)
