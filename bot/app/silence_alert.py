"""Tells the admins, once per episode, when a bot stops receiving, and again when it recovers.

What counts as "not receiving" differs by mode, so that a quiet night never pages anyone:

- polling: every answered long poll counts, empty ones included (the platforms note each in
  `last_receive_at`), so no answered poll for `alert_after` means the platform or the network
  is failing, however quiet the users are;
- webhook: silence alone proves nothing, so the platform is asked (`webhook_problem()`:
  Telegram's getWebhookInfo says whether updates wait behind a failed delivery; Zalo only
  whether our webhook is still set). A problem that lasts `alert_after` is told. Beside that,
  a webhook that received nothing at all for `webhook_quiet_after` (long: days) is told too,
  for failures no platform reports.

Episodes live in memory: after a restart a problem that persists is told once more.
Alerts go through the outbox, so they are retried while the platform is down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.core.messages import UserRef
from bot.delivery.outbox import Message
from bot.delivery.sender import private_chat

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.core.models import Person
    from bot.delivery.outbox import Outbox

log = logging.getLogger(__name__)


class Transport(Protocol):
    """What the watch reads of a running platform."""

    name: str
    bot: str
    mode: str
    last_receive_at: float | None  # time.monotonic() of the last answered poll or webhook call

    @property
    def receiving(self) -> bool: ...


@dataclass
class _Episode:
    since: float  # monotonic time the problem was first seen
    key: str  # the message key that describes it
    told: bool = False


class SilenceWatch:
    """Checks every transport on each sweep; queues alerts and recovery notes for admins."""

    def __init__(
        self,
        *,
        transports: Mapping[tuple[str, str], Transport],
        people: Callable[[], Sequence[Person]],
        admin_keys: Sequence[str],
        outbox: Outbox,
        translate: Translator,
        default_lang: str,
        alert_after: float,
        webhook_quiet_after: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`alert_after` and `webhook_quiet_after` are seconds; 0 turns each off."""
        self.transports = transports
        self.people = people
        self.admin_keys = list(admin_keys)
        self.outbox = outbox
        self.translate = translate
        self.default_lang = default_lang
        self.alert_after = alert_after
        self.webhook_quiet_after = webhook_quiet_after
        self.monotonic = monotonic
        self.started_at = monotonic()
        self._episodes: dict[tuple[str, str], _Episode] = {}

    async def check(self) -> list[str]:
        """One sweep; the message keys queued (for tests and logs)."""
        if not self.alert_after:
            return []
        queued = []
        for key, transport in self.transports.items():
            now = self.monotonic()
            found = await self._problem(key, transport, now)
            episode = self._episodes.get(key)
            if found is None:
                if episode is not None:
                    del self._episodes[key]
                    if episode.told:
                        log.warning("transport receives again platform=%s bot=%s", *key)
                        queued += self._tell(key, "health.recovered", minutes=0)
                continue
            msg_key, since, wait = found
            if episode is None or episode.key != msg_key:
                episode = self._episodes[key] = _Episode(since, msg_key)
            if not episode.told and now - episode.since >= wait:
                episode.told = True
                minutes = round((now - since) / 60)
                log.warning(
                    "transport not receiving platform=%s bot=%s problem=%s minutes=%d",
                    *key, msg_key, minutes,
                )  # fmt: skip
                queued += self._tell(key, msg_key, minutes=minutes)
        return queued

    async def _problem(
        self, key: tuple[str, str], t: Transport, now: float
    ) -> tuple[str, float, float] | None:
        """(message key, since when, how long it must last before it is told) or None."""
        last = t.last_receive_at or self.started_at
        if t.mode == "polling":
            if now - last >= self.alert_after:
                return "health.silence_polling", last, 0.0
            return None
        if t.mode != "webhook":
            return None  # the sandbox's local imitation
        probe: Callable[[], Awaitable[str | None]] | None = getattr(t, "webhook_problem", None)
        reason = await probe() if probe is not None else None
        if reason is not None:
            log.info("webhook problem platform=%s bot=%s: %s", t.name, t.bot, reason)
            episode = self._episodes.get(key)
            since = episode.since if episode and episode.key == "health.silence_webhook" else now
            return "health.silence_webhook", since, self.alert_after
        if self.webhook_quiet_after and now - last >= self.webhook_quiet_after:
            return "health.silence_quiet", last, 0.0
        return None

    def _tell(self, key: tuple[str, str], msg_key: str, *, minutes: int) -> list[str]:
        """Queue `msg_key` to every config admin with a reachable private chat."""
        name, bot = key
        label = f"Zalo {bot}" if bot else name.capitalize()
        messages = []
        by_account = {a.key: p for p in self.people() for a in p.accounts if p.active}
        for admin_key in self.admin_keys:
            person = by_account.get(admin_key)
            if person is None:
                continue
            accounts = [a for a in person.accounts if a.reachable]
            # Another transport than the silent one gets it sooner, if the admin has one.
            accounts.sort(key=lambda a: _on(a.key) == key)
            if not accounts:
                continue
            lang = person.language or self.default_lang
            text = self.translate(lang, msg_key, bot=label, minutes=minutes,
                                  hours=round(minutes / 60))  # fmt: skip
            messages.append(
                Message(private_chat(accounts[0].key), text, lang=lang, recipient=person.id)
            )
        if not messages:
            log.warning("no admin can be told platform=%s bot=%s", name, bot)
            return []
        try:
            self.outbox.enqueue(messages, kind="health")
        except Exception:
            log.exception("health alert not queued platform=%s bot=%s", name, bot)
            return []
        return [msg_key] * len(messages)


def _on(account_key: str) -> tuple[str, str]:
    """The (platform, bot) an account lives on."""
    user = UserRef.parse(account_key)
    return user.platform, user.bot
