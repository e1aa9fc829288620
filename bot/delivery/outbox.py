"""The durable outbox: what the bot sends on its own, written first, sent at least once."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.messages import Button, ChatRef, OutFile, Outgoing
from bot.core.models import (
    JobStatus,
    OutboxButton,
    OutboxFile,
    OutboxItem,
    OutboxJob,
    OutboxStatus,
    Person,
)
from bot.core.platform import BadRequest, ChatUnreachable, QuotaExceeded, RetryLater
from bot.core.text import split_text
from bot.delivery.sender import chat_from_key, private_chat

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.progress import Progress
    from bot.delivery.sender import Delivery
    from bot.delivery.zalo_quota import Quotas
    from bot.store.base import Store

log = logging.getLogger(__name__)

FINAL = frozenset(
    {OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNREACHABLE, OutboxStatus.HELD}
)
FileResolver = Callable[[OutboxItem, ChatRef], tuple[OutFile | None, str]]


@dataclass(frozen=True, slots=True)
class Message:
    """One message a service wants sent to one chat."""

    chat: ChatRef
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: OutboxFile | None = None
    lang: str = ""
    recipient: int | None = None
    pin: bool = False
    poll: tuple[str, ...] = ()  # options of a native poll (only where Capabilities.polls)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter, capped; the platform's own retry_after wins if longer."""

    base: float = 2.0
    cap: float = 300.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        raw = min(self.cap, self.base * 2 ** max(attempt - 1, 0))
        return raw * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311 (not crypto)


def _no_file(item: OutboxItem, chat: ChatRef) -> tuple[OutFile | None, str]:
    return None, ""


class Outbox:
    """Queues bulk sends in the store and delivers them under the limits, with retries."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        delivery: Delivery,
        quotas: Quotas,
        progress: Progress,
        concurrency: int = 4,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
        files: FileResolver = _no_file,
        instance: str = "",
        alive: Callable[[], set[str]] | None = None,
        recover_every: float = 2.0,
    ) -> None:
        """`instance` and `alive` (the ids of the live instances) when several instances share
        the store: each marks what it sends as its own, and takes over what a dead one had in
        flight, every `recover_every` seconds."""
        self.store = store
        self.instance = instance
        self.alive = alive
        self.recover_every = recover_every
        self._recovered_at = 0.0
        self.clock = clock
        self.delivery = delivery
        self.quotas = quotas
        self.progress = progress
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.files = files
        self._wake = asyncio.Event()
        self._active: set[int] = set()
        self._active_chats: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False

    # --- asking ------------------------------------------------------------------------------

    def cost(self, messages: Sequence[Message]) -> dict[str, int]:
        """Zalo messages each bot would spend (long texts split at 2000, buttons as text)."""
        costs: dict[str, int] = {}
        for msg in messages:
            if not self.quotas.counted(msg.chat.bot) or msg.chat.platform != "zalo":
                continue
            out = self.delivery.render(Outgoing(msg.chat, msg.text, buttons=msg.buttons), msg.lang)
            caps = self.delivery.caps(msg.chat)
            parts = len(split_text(out.text, caps.max_text if caps else 2000))
            costs[msg.chat.bot] = costs.get(msg.chat.bot, 0) + parts
        return costs

    def enqueue(
        self,
        messages: Sequence[Message],
        *,
        kind: str,
        requested_by: Person | None = None,
        report_to: str = "",
        ref: str = "",
    ) -> OutboxJob:
        """Refuse up front if a Zalo quota would not cover it; else store the job and its items.
        Inside a caller's atomic() block the job commits with the caller's own writes."""
        self.quotas.check_bulk(self.cost(messages))
        now = self.clock.now()
        with self.store.atomic():
            job = self.store.outbox.add_job(
                kind=kind,
                created_at=now,
                total=len(messages),
                requested_by=requested_by.id if requested_by else None,
                report_chat=report_to,
                ref=ref,
            )
            self.store.outbox.add(self._items(job.id, messages, now))
        log.info("outbox job=%s kind=%s messages=%d", job.id, kind, len(messages))
        self.progress.started(job)
        self._wake.set()
        return job

    def _items(self, job_id: int, messages: Sequence[Message], now: datetime) -> list[OutboxItem]:
        """The k-th message into a chat is due k chat-intervals later, so the queue's order
        interleaves chats and nothing waits on a chat's limit while other chats could go."""
        seen: dict[str, int] = {}
        items = []
        for msg in messages:
            k = seen.get(msg.chat.key, 0)
            seen[msg.chat.key] = k + 1
            due = now + timedelta(seconds=k * self.delivery.spacing(msg.chat))
            items.append(self._item(job_id, msg, now, due))
        return items

    @staticmethod
    def _item(job_id: int, msg: Message, now: datetime, due: datetime) -> OutboxItem:
        buttons = tuple(
            tuple(OutboxButton(b.label, b.data, b.typed) for b in row) for row in msg.buttons
        )
        return OutboxItem(
            id=0, job_id=job_id, chat_key=msg.chat.key, chat_kind=str(msg.chat.kind),
            text=msg.text, status=OutboxStatus.PENDING, created_at=now, next_attempt_at=due,
            lang=msg.lang, buttons=buttons, file=msg.file, recipient=msg.recipient, pin=msg.pin,
            poll=msg.poll,
        )  # fmt: skip

    # --- running -------------------------------------------------------------------------------

    def recover(self, *, resume_jobs: bool = True) -> int:
        """After a crash: what was in flight may have gone out; send it again, and say so. With
        several instances, only what an instance that is no longer alive had in flight."""
        recovered = 0
        now = self.clock.now()
        alive = self.alive() if self.alive is not None else None
        for item in self.store.outbox.inflight():
            if alive is not None and item.claimed_by in alive:
                continue  # in the hands of a live instance (this one included)
            self.store.outbox.save(
                replace(
                    item, status=OutboxStatus.PENDING, possibly_repeated=True, next_attempt_at=now
                )
            )
            recovered += 1
        if recovered:
            log.warning("outbox resumed %d messages that were in flight at the crash", recovered)
        if resume_jobs:
            for job in self.store.outbox.jobs(status=JobStatus.RUNNING):
                self.progress.resume(job)
        return recovered

    def _recover_now_and_then(self) -> None:
        """Several instances: take over, now and then, what a dead instance had in flight."""
        if self.alive is None:
            return
        loop_now = asyncio.get_running_loop().time()
        if loop_now - self._recovered_at < self.recover_every:
            return
        self._recovered_at = loop_now
        try:
            if self.recover(resume_jobs=False):
                self._wake.set()
        except Exception:
            log.exception("outbox: taking over a dead instance's sends failed")

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver due items until stop(); at most `concurrency` in flight, one per chat."""
        self.recover()
        slots = asyncio.Semaphore(self.concurrency)
        while not self._stopping:
            started = 0
            self._recover_now_and_then()
            due = self.store.outbox.due(now=self.clock.now(), limit=self.concurrency * 16)
            # A chat passed over in this round keeps its order: while this loop waits for a
            # slot the chat may become ready, and its next message must not go first.
            passed: set[str] = set()
            for item in due:
                if item.id in self._active or item.chat_key in self._active_chats:
                    continue
                chat = chat_from_key(item.chat_key, item.chat_kind)
                if item.chat_key in passed or not self.delivery.ready(chat):
                    passed.add(item.chat_key)
                    continue
                if self._stopping:
                    break
                await slots.acquire()
                if self._stopping:  # halted while this loop waited for a slot
                    slots.release()
                    break
                self._active.add(item.id)
                self._active_chats.add(item.chat_key)
                task = asyncio.create_task(self._deliver(item))
                self._tasks.add(task)
                task.add_done_callback(lambda t, i=item: self._done(t, i, slots))
                started += 1
            if not started:
                await self._sleep()

    def _done(self, task: asyncio.Task[None], item: OutboxItem, slots: asyncio.Semaphore) -> None:
        self._tasks.discard(task)
        self._active.discard(item.id)
        self._active_chats.discard(item.chat_key)
        slots.release()
        self._wake.set()

    async def _sleep(self) -> None:
        """Until woken (new job, a slot freed) or the next retry is due; never a tight loop."""
        self._wake.clear()
        next_due = self.store.outbox.next_due_at()
        timeout = 1.0
        if next_due is not None:
            timeout = min(max((next_due - self.clock.now()).total_seconds(), 0.01), 1.0)
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    def halt(self) -> None:
        """Start no new sends from now on (those in flight go on; stop() waits for them)."""
        self._stopping = True
        self._wake.set()

    async def stop(self) -> None:
        """Start no new sends; let those in flight finish and record their outcome."""
        self.halt()
        while self._tasks:  # a send finishing now may still start its pin
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` beside the sends; stop() waits for it."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- one message -----------------------------------------------------------------------------

    async def _deliver(self, item: OutboxItem) -> None:
        # Claimed before the attempt (INFLIGHT, one more attempt, by this instance): after a crash
        # this row says the message may have gone out. None: another instance took it first, or
        # its chat has a message in flight there.
        claimed = self.store.outbox.claim(item.id, by=self.instance)
        if claimed is None:
            return
        item = claimed
        chat = chat_from_key(item.chat_key, item.chat_kind)
        file, extra = self.files(item, chat)
        buttons = tuple(
            tuple(Button(b.label, b.data, b.typed) for b in row) for row in item.buttons
        )
        out = Outgoing(chat, item.text + extra, buttons=buttons, file=file, poll=item.poll)
        now = self.clock.now
        try:
            sent = await self.delivery.transmit(out, lang=item.lang, urgent=False)
        except RetryLater as exc:
            item = self._retry_or_fail(item, str(exc), exc.retry_after)
        except ChatUnreachable as exc:
            item = self._final(item, OutboxStatus.UNREACHABLE, str(exc))
            self.delivery.on_unreachable(chat)
        except QuotaExceeded as exc:
            item = self._final(item, OutboxStatus.HELD, str(exc))
            self._hold_bot(chat.bot)
        except BadRequest as exc:
            item = self._final(item, OutboxStatus.FAILED, str(exc))
        except Exception as exc:
            # An unknown failure is retried like a transient one, within the attempts allowed.
            log.exception("outbox send failed item=%s", item.id)
            item = self._retry_or_fail(item, repr(exc), 0.0)
        else:
            item = replace(
                item,
                status=OutboxStatus.SENT,
                sent_at=now(),
                message_ids=sent.message_ids,
                poll_id=sent.poll_id,
                error="",
            )
        self.store.outbox.save(item)
        if item.pin and item.status is OutboxStatus.SENT and item.message_ids:
            # After the send is recorded: a pin that fails or is refused never resends it. Not in
            # this send's slot: the pin waits for the group's own limit (seconds after the send),
            # and a slot held that long would stall the sends into every other chat.
            self._spawn(self.delivery.pin(chat, item.message_ids[0]))
        if item.status in FINAL:
            await self.progress.item_done(item)

    def _retry_or_fail(self, item: OutboxItem, error: str, retry_after: float) -> OutboxItem:
        """Back off and try again later, or give up once the attempts are used."""
        if item.attempts >= self.max_attempts:
            return self._final(item, OutboxStatus.FAILED, f"retries exhausted: {error}")
        wait = max(retry_after, self.backoff.delay(item.attempts))
        due = self.clock.now() + timedelta(seconds=wait)
        return replace(item, status=OutboxStatus.PENDING, error=error, next_attempt_at=due)

    def _final(self, item: OutboxItem, status: OutboxStatus, error: str) -> OutboxItem:
        log.info("outbox item=%s %s: %s", item.id, status, error)
        return replace(item, status=status, error=error)

    def _hold_bot(self, bot: str) -> None:
        """Zalo's quota is spent: hold every pending message of that bot instead of retrying."""
        held = 0
        for item in self.store.outbox.due(
            now=datetime.max.replace(tzinfo=self.clock.now().tzinfo), limit=1_000_000
        ):
            platform, item_bot, _ = item.chat_key.split(":", 2)
            if platform == "zalo" and item_bot == bot and item.id not in self._active:
                done = self._final(item, OutboxStatus.HELD, "zalo quota spent")
                self.store.outbox.save(done)
                held += 1
                self._spawn(self.progress.item_done(done))
        log.warning("outbox held %d messages of zalo bot %s (quota spent)", held, bot)


def requester_chat(person: Person | None, *, prefer: str = "") -> str:
    """The private chat key where a job's requester hears about progress (a reachable account)."""
    if person is None:
        return ""
    accounts = sorted(person.accounts, key=lambda a: (not a.reachable, a.key != prefer))
    return private_chat(accounts[0].key).key if accounts else ""
