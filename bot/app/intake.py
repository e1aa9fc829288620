"""Intake of platform events: drop repeats, keep each chat in order, stop cleanly.

What an event meets here, in order, before the dispatcher's steps (bot.app.pipeline):

1. stopping, or a store that cannot write (`submit`): nothing is taken in, and the platform
   hears so (NotTaken): it leaves the event unconfirmed and offers it again.
2. throttle (`_admit`): one person's flood, or a chat with too much waiting, is refused before
   it costs a task, with one polite reply per burst. Answers to the bot (a press of its button,
   text to a question waiting for this person) draw on a larger allowance of their own.
3. durable receipt (`submit`): the event is written down before the platform hears back, so a
   crash replays it at the next start (`replay_waiting`). A disk that refuses the write begins
   a storage episode (bot.app.storage_alert) and the event is not taken (1).
4. de-duplication (`process`): an update id already handled, or in hand, is dropped.
5. order per chat (`process`): one event of a chat at a time, in arrival order.
6. open (`process`): nothing is handled (or answered) before the platforms can send.
7. the dispatcher; the event is marked handled even when its handler failed, except when the
   disk refused a write: then the event stays in the inbox, its sender is told once that it is
   kept, and it is handled again from the start once the store writes again (its chat's later
   events wait behind it). A mark the disk refused is kept in memory and written then.
8. owner (`_give_kept_files`): a photo the platform kept as it arrived (Zalo's URLs expire) is
   given to its sender once handling made the person known, so erasing them removes it.

A new event also counts against its Zalo bot's monthly quota where that bot's `quota_counts`
says incoming messages count too (bot.delivery.zalo_quota).

Stopping (`drain`): events waiting for their turn stay in the inbox for the next start, which
replays them in arrival order; those being handled finish, within a bound.

Several instances on one database (`turns`, bot.app.cluster.turns): 4 is the database's, whichever
instance an update reached (`receive` keeps a key once); 5 is a chat's turn held in the database
as well, and its holder first handles the chat's events received before its own, wherever they
arrived, so one chat goes in receipt order across instances. An event an instance took in and
did not handle (it died) is handled by another (`adopt_waiting`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from bot.app.intake_files import give_kept_files
from bot.app.intake_throttle import Throttle, Verdict
from bot.app.prompts import waiting
from bot.app.storage_alert import StorageWatch, is_storage_failure
from bot.core.messages import Incoming, UpdateKind
from bot.core.platform import NotTaken
from bot.store import StoreError

if TYPE_CHECKING:
    from bot.app.cluster.turns import SharedTurns
    from bot.app.dispatch import Dispatcher
    from bot.core.clock import Clock
    from bot.delivery.file_store import FileStore
    from bot.delivery.zalo_quota import Quotas
    from bot.store.base import Store

log = logging.getLogger(__name__)

# Events replayed at a start (a stop's backlog, or a crash's) in the dispatcher at once: each
# waits for its reply's send slot, and a newer event's reply would queue behind all of them;
# this many keep the platform's send budget busy, and what arrives now is answered promptly.
REPLAY_AT_ONCE = 64


class Inbound:
    """Hands each new event to the dispatcher exactly once per update id, in order per chat."""

    def __init__(
        self,
        *,
        store: Store,
        dispatcher: Dispatcher,
        clock: Clock,
        throttle: Throttle | None = None,
        max_waiting_per_chat: int = 50,
        storage: StorageWatch | None = None,
        files: FileStore | None = None,
        quotas: Quotas | None = None,
        turns: SharedTurns | None = None,
    ) -> None:
        self.store = store
        self.turns = turns  # chats' turns across instances (None: this process is alone)
        self.dispatcher = dispatcher
        self.clock = clock
        self.files = files  # where photos kept at arrival are (their owner is set here)
        self.quotas = quotas  # Zalo's monthly quotas, some of which count incoming messages
        self.throttle = throttle
        self.max_waiting = max_waiting_per_chat
        self.storage = storage or StorageWatch()
        self.storage.on_recovered(self._write_marks)
        self._waiting: Counter[str] = Counter()
        self.throttled = 0
        # Set once the platforms can send: a replayed event waits for it (holding its chat's
        # turn, so newer events of that chat still come after it).
        self._open = asyncio.Event()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._inflight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # inside the dispatcher right now
        self._unmarked: dict[str, datetime] = {}  # handled; the disk refused the mark
        self._replayed: set[str] = set()  # keys replayed at the start, not handled yet
        self._replay_slots = asyncio.Semaphore(REPLAY_AT_ONCE)
        self._accepting = True
        self._stale: set[str] = set()  # waiting at the last adopt_waiting(), not handled here
        self.handled = 0
        self.duplicates = 0

    @staticmethod
    def key(inc: Incoming) -> str:
        return f"{inc.chat.platform}:{inc.chat.bot}:{inc.kind}:{inc.update_id}"

    @property
    def queued(self) -> int:
        """Events taken in and not handled yet (waiting for their turn, or being handled)."""
        return sum(self._waiting.values())

    async def submit(self, inc: Incoming) -> None:
        """The platforms' sink: returns at once, the work goes on in a task. NotTaken when
        the event was not taken in (stopping, or the store cannot write): the platform must not
        confirm it."""
        if not self._accepting:
            raise NotTaken("the bot is stopping")
        if not self.storage.try_now():
            # Not even a throttle token spent on an offer refused anyway; the watch's probe
            # (run here too, now and then) tells when the store writes again.
            raise NotTaken(f"the store cannot write: {self.storage.reason}")
        key = self.key(inc)
        new = not self._known(key)
        if not self._admit(inc):
            if new:
                self._count_received(inc)  # refused here, but it reached the bot
            return
        if new:
            # Durable before the platform hears back (the next poll, the webhook's 200): a
            # crash from here on loses nothing, the start replays it (replay_waiting).
            try:
                fresh = self.store.inbound.receive(key, inc, at=self.clock.now())
            except (StoreError, OSError) as exc:
                if not is_storage_failure(exc):
                    if isinstance(exc, StoreError):
                        raise NotTaken(str(exc)) from exc
                    raise
                self.storage.failed(exc)
                raise NotTaken(f"the store cannot write: {self.storage.reason}") from exc
            if not fresh:
                # Taken in before (by another instance, or an earlier delivery): not again.
                self.duplicates += 1
                log.info("duplicate update dropped platform=%s", inc.chat.platform)
                return
            self._count_received(inc)
        self._spawn(inc)

    def _known(self, key: str) -> bool:
        return key in self._inflight or key in self._unmarked or self.store.inbound.seen(key)

    def _spawn(self, inc: Incoming) -> None:
        chat = inc.chat.key
        self._waiting[chat] += 1
        task = asyncio.create_task(self.process(inc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._left(chat))

    def open(self) -> None:
        """The platforms are up: events may be handled (and answered) from now on."""
        self._open.set()

    def replay_waiting(self) -> int:
        """At the start: handle what was taken in but not marked handled (after a crash, or
        left by a stop), in arrival order, each chat's ahead of its new events."""
        waiting = self.store.inbound.waiting()
        for inc in waiting:
            self._replayed.add(self.key(inc))
            self._spawn(inc)
        if waiting:
            log.warning("intake resumed %d events taken in before the last stop", len(waiting))
        return len(waiting)

    def _left(self, chat: str) -> None:
        self._waiting[chat] -= 1
        if self._waiting[chat] <= 0:
            del self._waiting[chat]

    def _admit(self, inc: Incoming) -> bool:
        """One person's flood is refused before it costs a task: beyond their rate (with one
        polite reply per burst), or when their chat already has too much waiting."""
        verdict = Verdict.ALLOW
        if self.throttle is not None and not inc.sender_is_bot:
            verdict = self.throttle.check(inc.sender.key, answer=self._answers_bot(inc))
        if verdict is Verdict.ALLOW and self._waiting[inc.chat.key] < self.max_waiting:
            return True
        self.throttled += 1
        if verdict is Verdict.WARN:
            log.info("person over the intake limit platform=%s", inc.chat.platform)
            task = asyncio.create_task(self._tell(inc, "intake.slow_down"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return False

    def _answers_bot(self, inc: Incoming) -> bool:
        """A press of one of the bot's own buttons (of a kind its handlers know), or text that
        is no command from a person the bot waits on for an answer here: a form's keypad and
        typed answers, which a person gives quickly, one a question."""
        if inc.kind is UpdateKind.CALLBACK:
            return inc.callback_data.partition(":")[0] in self.dispatcher.callbacks
        if inc.kind is not UpdateKind.MESSAGE or inc.text.lstrip().startswith("/"):
            return False
        prompt = self.store.prompts.get(inc.chat.key, inc.sender.key)
        return waiting(prompt, self.clock.now())

    async def process(self, inc: Incoming) -> None:
        key = self.key(inc)
        if key in self._inflight or key in self._unmarked or self.store.inbound.seen(key):
            self.duplicates += 1
            log.info("duplicate update dropped platform=%s", inc.chat.platform)
            return
        self._inflight.add(key)
        chat = inc.chat.key
        lock, users = self._locks.get(chat) or (asyncio.Lock(), 0)
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                await self._open.wait()
                replayed = key in self._replayed
                async with self._replay_slots if replayed else contextlib.nullcontext():
                    if self.turns is None:
                        await self._run(inc, key)
                    else:
                        await self._run_shared(inc, key)
        finally:
            self._inflight.discard(key)
            self._replayed.discard(key)
            lock, users = self._locks[chat]
            # The lock is dropped only when nobody holds or waits for it, so order per chat holds.
            if users <= 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)

    async def _run(self, inc: Incoming, key: str) -> None:
        await self._handle(inc)
        self._give_kept_files(inc)
        # Marked even when a handler failed: the person got the apology already, and a replay
        # of the same failing update would only repeat it. Not when this task was cancelled (a
        # stop's bound): the next start does it again.
        self._mark(key)

    async def _run_shared(self, inc: Incoming, key: str) -> None:
        """Several instances: wait for the chat's turn in the database; then handle the chat's
        events received before this one (wherever they arrived) and this one, unless another
        instance handled it meanwhile."""
        assert self.turns is not None
        chat = inc.chat.key
        if not await self.turns.take(chat, done=lambda: self.store.inbound.seen(key)):
            self.duplicates += 1  # handled by the instance that had the turn
            return
        try:
            for older in self.store.inbound.ahead(chat, key):
                older_key = self.key(older)
                if older_key not in self._unmarked and not self.store.inbound.seen(older_key):
                    await self._run(older, older_key)
            if key in self._unmarked or self.store.inbound.seen(key):
                self.duplicates += 1
                return
            await self._run(inc, key)
        finally:
            self.turns.give(chat)

    def adopt_waiting(self) -> int:
        """Several instances: take on the events that wait in the database since the last call
        and are not in hand here (an instance took them in and died before handling them); call
        it less often than an instance is taken for dead. Returns how many were taken on."""
        waiting = {self.key(inc): inc for inc in self.store.inbound.waiting()}
        adopted = 0
        for key, inc in waiting.items():
            if key in self._stale and key not in self._inflight and self._accepting:
                self._spawn(inc)
                adopted += 1
        self._stale = set(waiting) - self._inflight
        if adopted:
            log.warning("intake took on %d events another instance left unhandled", adopted)
        return adopted

    async def _handle(self, inc: Incoming) -> None:
        """Dispatch; when the disk refuses a write on the way, wait until it takes writes and
        do it again (whatever the handler wrote was rolled back with the refused commit)."""
        task = asyncio.current_task()
        assert task is not None
        told = False
        while True:
            await self.storage.wait()
            self._busy.add(task)
            try:
                await self.dispatcher.handle(inc)
                return
            except Exception as exc:
                if not is_storage_failure(exc):
                    log.exception("event handling failed platform=%s", inc.chat.platform)
                    return
                self.storage.failed(exc)
            finally:
                self._busy.discard(task)
            log.warning("event kept until the store writes again platform=%s", inc.chat.platform)
            if not told:
                told = True
                await self._tell(inc, "intake.held")

    def _mark(self, key: str) -> None:
        at = self.clock.now()
        self.handled += 1
        try:
            self.store.inbound.mark(key, at=at)
        except (StoreError, OSError) as exc:
            if not is_storage_failure(exc):
                raise
            # Handled and answered: not again. Written once the store takes writes again; a
            # crash before that replays it (at least once, never lost).
            self.storage.failed(exc)
            self._unmarked[key] = at

    def _write_marks(self) -> None:
        for key, at in list(self._unmarked.items()):
            try:
                self.store.inbound.mark(key, at=at)
            except (StoreError, OSError) as exc:
                if is_storage_failure(exc):
                    self.storage.failed(exc)
                else:
                    log.exception("marking a handled event failed")
                return
            del self._unmarked[key]

    def _count_received(self, inc: Incoming) -> None:
        """Count a new message against its Zalo bot's quota where incoming ones count too
        (whether Zalo counts them is contested); throttled ones too, since they reached it."""
        quotas, bot = self.quotas, inc.chat.bot
        if quotas is None:
            return
        try:
            due = quotas.received(inc.chat.platform, bot)
        except (StoreError, OSError) as exc:
            # The message is taken in all the same; the count is the bot's own estimate.
            log.warning("incoming message not counted in the quota bot=%s: %s", bot, exc)
            return
        if due is None:
            return

        async def alert() -> None:
            try:
                await quotas.alert(bot, due)
            except Exception:
                log.exception("quota alert not sent bot=%s", bot)

        task = asyncio.create_task(alert())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _give_kept_files(self, inc: Incoming) -> None:
        if self.files is not None:
            give_kept_files(inc, people=self.store.people, files=self.files)

    async def _tell(self, inc: Incoming, key: str) -> None:
        try:
            await self.dispatcher.tell(inc, key)
        except Exception:
            log.exception("intake notice not sent key=%s", key)

    async def drain(self, timeout: float | None = None) -> None:
        """Take nothing more. Events waiting for their turn stay in the inbox, for the next
        start; those being handled finish, within `timeout` seconds, after which they are
        cancelled too (not marked, so the next start handles them again)."""
        self._accepting = False
        waiting = [t for t in self._tasks if t not in self._busy]
        for task in waiting:
            task.cancel()
        busy = [t for t in self._tasks if t in self._busy]
        late: set[asyncio.Task[None]] = set()
        if busy:
            _, late = await asyncio.wait(busy, timeout=timeout)
            for task in late:
                task.cancel()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._write_marks()
        log.info(
            "intake drained: %d events finished, %d cut off at the bound, %d waiting events "
            "left for the next start", len(busy) - len(late), len(late), len(waiting),
        )  # fmt: skip
