"""Whether the store can write; when it cannot, the admins are told once per episode, and again
when it can.

An episode begins at the first write the disk refuses (full, failing, read-only), wherever it
happens: intake writing an event down, a handler's commit, marking an event handled. From then
on intake takes nothing new in (the platforms keep it unconfirmed and offer it again), events
in hand wait, /healthz answers 503 with the reason, and a small write is tried every
`probe_every` seconds and whenever a platform offers an event again (at most every
`probe_gap`); the first that succeeds ends the episode and everything goes on.

The alert needs no disk: it is a direct message (the outbox would have to write it down first),
sent to each config admin on the first of their accounts that takes it, Telegram before Zalo
(a Zalo send also counts the bot's monthly quota on disk). The all-clear follows once writes
have gone through for `settle` seconds: a disk hovering at full, refusing again meanwhile, is
one episode for the admins (one alert, one all-clear), while intake goes on at every success.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.messages import Outgoing
from bot.delivery.sender import private_chat
from bot.store import StoreWriteError

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.core.models import Person
    from bot.delivery.sender import Delivery

log = logging.getLogger(__name__)

# Write errors that mean "the disk", not a bug: an event hit by one is kept and retried.
DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})


def is_storage_failure(exc: BaseException) -> bool:
    """Whether `exc` is the disk refusing a write (the store's own, or a file's)."""
    return isinstance(exc, StoreWriteError) or (
        isinstance(exc, OSError) and exc.errno in DISK_ERRORS
    )


def describe(exc: BaseException) -> str:
    """A short reason for admins and /healthz: the OS error if there is one, no paths."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            name = errno.errorcode.get(seen.errno, str(seen.errno))
            return f"{seen.strerror or name} ({name})"
        seen = seen.__cause__
    return str(exc)[:200] or type(exc).__name__


class StorageWatch:
    """The store's write health: episodes, the probe that ends them, the admins' alerts."""

    def __init__(
        self,
        *,
        probe: Callable[[], None] | None = None,
        tell: Callable[..., Awaitable[int]] | None = None,
        probe_every: float = 2.0,
        probe_gap: float = 0.5,
        settle: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`probe` makes one small write (raising when the disk refuses it), every
        `probe_every` seconds while the store fails, and when an event is offered again
        (`try_now`) if the last try is `probe_gap` seconds old; `tell(key, reason=…)` sends a
        catalog message to the admins and returns how many got it."""
        self.probe = probe
        self.tell = tell
        self.probe_every = probe_every
        self.probe_gap = probe_gap
        self._probed_at: float | None = None
        self.settle = settle
        self.monotonic = monotonic
        self.reason = ""
        self.since: float | None = None  # monotonic start of the current episode
        self.episodes = 0
        self._ok = asyncio.Event()
        self._ok.set()
        self._alerted = False  # the admins were told of a failure not yet cleared
        self._prober: asyncio.Task[None] | None = None
        self._all_clear: asyncio.Task[None] | None = None
        self._notes: set[asyncio.Task[None]] = set()
        self._saying = asyncio.Lock()  # the alert and its all-clear leave in that order
        self._recovered: list[Callable[[], None]] = []

    @property
    def failing(self) -> bool:
        return not self._ok.is_set()

    def on_recovered(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time an episode ends (intake writes what it could not)."""
        self._recovered.append(callback)

    def failed(self, exc: BaseException) -> None:
        """A write was refused: begin an episode (or note the latest reason of this one)."""
        self.reason = describe(exc)
        if self.failing:
            return
        self._ok.clear()
        self.since = self.monotonic()
        self._probed_at = None  # an event offered again may try at once
        self.episodes += 1
        log.error("the store cannot write: %s; new events wait until it can", self.reason)
        if self._all_clear is not None:
            self._all_clear.cancel()  # it failed again before settling: the same alert holds
            self._all_clear = None
        if not self._alerted:
            self._alerted = True
            self._note("storage.failing")
        if self._prober is None or self._prober.done():
            self._prober = asyncio.create_task(self._probe_loop(), name="storage-probe")

    def try_now(self) -> bool:
        """Whether the store writes: True at once when it is not failing; else the probe runs
        now (unless it ran less than `probe_gap` seconds ago) and ends the episode if it
        succeeds. A platform offering a refused event again is a good moment to look."""
        if not self.failing:
            return True
        now = self.monotonic()
        if self._probed_at is not None and now - self._probed_at < self.probe_gap:
            return False
        return self._try_probe()

    async def wait(self) -> None:
        """Return at once while the store writes; else when it can again."""
        await self._ok.wait()

    def state(self) -> dict[str, object]:
        """What /healthz shows."""
        if not self.failing:
            return {"ok": True}
        since = self.since if self.since is not None else self.monotonic()
        return {"ok": False, "reason": self.reason,
                "failing_seconds": round(self.monotonic() - since, 1)}  # fmt: skip

    async def stop(self) -> None:
        """End the probe and any alert still being sent."""
        tasks = [t for t in (self._prober, self._all_clear, *self._notes) if t is not None]
        self._prober = self._all_clear = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _recover(self) -> None:
        since = self.since if self.since is not None else self.monotonic()
        log.warning("the store writes again after %.0f s", self.monotonic() - since)
        self._ok.set()
        self.since = None
        self.reason = ""
        for callback in self._recovered:
            try:
                callback()
            except Exception:
                log.exception("storage recovery step failed")
        if self._alerted and self._all_clear is None:
            self._all_clear = asyncio.create_task(self._clear_after_settling())

    async def _clear_after_settling(self) -> None:
        await asyncio.sleep(self.settle)
        self._all_clear = None
        if not self.failing:
            self._alerted = False
            self._note("storage.recovered")

    async def _probe_loop(self) -> None:
        """Try a small write every `probe_every` seconds until one succeeds."""
        while self.failing:
            await asyncio.sleep(self.probe_every)
            if self.failing:
                self._try_probe()

    def _try_probe(self) -> bool:
        self._probed_at = self.monotonic()
        if self.probe is None:
            return False
        try:
            self.probe()
        except Exception as exc:
            if not is_storage_failure(exc):
                log.exception("storage probe failed")
            self.reason = describe(exc)
            return False
        self._recover()
        return True

    def _note(self, key: str) -> None:
        task = asyncio.create_task(self._say(key, self.reason))
        self._notes.add(task)
        task.add_done_callback(self._notes.discard)

    async def _say(self, key: str, reason: str) -> None:
        if self.tell is None:
            return
        async with self._saying:
            try:
                told = await self.tell(key, reason=reason)
            except Exception:
                log.exception("storage alert not sent key=%s", key)
                return
        if not told:
            log.warning("no admin could be told key=%s", key)


def direct_tell(
    *,
    delivery: Delivery,
    people: Callable[[], Sequence[Person]],
    admin_keys: Sequence[str],
    translate: Translator,
    default_lang: str,
    path: str,
) -> Callable[..., Awaitable[int]]:
    """A `tell` for StorageWatch: a direct message to each config admin, on the first of their
    reachable accounts that takes it, Telegram first; returns how many admins got it. `path`
    is the data directory, named in the alert."""

    async def tell(key: str, *, reason: str = "") -> int:
        by_account = {a.key: p for p in people() for a in p.accounts if p.active}
        told = 0
        for admin_key in admin_keys:
            person = by_account.get(admin_key)
            if person is None:
                continue
            lang = person.language or default_lang
            text = translate(lang, key, reason=reason, path=path)
            accounts = sorted((a for a in person.accounts if a.reachable),
                              key=lambda a: not a.key.startswith("telegram:"))  # fmt: skip
            for account in accounts:
                chat = private_chat(account.key)
                if delivery.platform_for(chat) is None:
                    continue
                try:
                    sent = await delivery.send(Outgoing(chat, text), lang=lang)
                except Exception:
                    log.exception("storage alert to an admin failed")
                    continue
                if sent:
                    told += 1
                    break
        return told

    return tell
