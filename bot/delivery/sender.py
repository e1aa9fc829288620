"""The one path every send takes: adapts to the platform, retries, notes unreachable chats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from bot.core.errors import UserError
from bot.core.messages import Attachment, Button, ChatKind, ChatRef, Outgoing, SentRef, UserRef
from bot.core.models import Person
from bot.core.platform import (
    BadRequest,
    Capabilities,
    ChatUnreachable,
    DeliveryError,
    Platform,
    QuotaExceeded,
    RetryLater,
)
from bot.store.base import StoreError

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.delivery.introduction import Introductions
    from bot.delivery.send_limits import SendLimiter
    from bot.delivery.zalo_quota import Quotas

log = logging.getLogger(__name__)

# A person waiting for a reply should not wait long: past this, the reply is given up and logged.
REPLY_MAX_WAIT = 10.0
REPLY_ATTEMPTS = 3
PLATFORM_DOWN_RETRY = 300.0  # seconds before a message for a stopped platform is tried again


class Notifier(Protocol):
    """Sends a catalog message privately to a person, in their language, where reachable."""

    async def notify(self, person: Person, key: str, /, **params: object) -> bool: ...

    async def notify_admins(self, key: str, /, **params: object) -> int: ...


def private_chat(user_key: str) -> ChatRef:
    """The private chat with an account: on Telegram and Zalo its id is the user's id."""
    user = UserRef.parse(user_key)
    return ChatRef(user.platform, user.bot, user.id, ChatKind.PRIVATE)


def chat_from_key(key: str, kind: str) -> ChatRef:
    """A ChatRef back from its stored key (platform:bot:id) and kind."""
    platform, bot, chat_id = key.split(":", 2)
    return ChatRef(platform, bot, chat_id, ChatKind(kind))


class Delivery:
    """Sends through the right Platform; buttons become typed text where there are none."""

    def __init__(
        self,
        *,
        platforms: Mapping[tuple[str, str], Platform],
        translate: Translator,
        default_lang: str,
        on_unreachable: Callable[[ChatRef], None],
        people: Callable[[], list[Person]],
        admin_keys: list[str],
        limiters: Mapping[tuple[str, str], SendLimiter] | None = None,
    ) -> None:
        self.platforms = platforms
        self.limiters = dict(limiters or {})
        self.quotas: Quotas | None = None  # set by the composition root (Quotas notify through us)
        # Set by the composition root: the first private message says a bot is talking.
        self.introductions: Introductions | None = None
        self.translate = translate
        self.default_lang = default_lang
        self.on_unreachable = on_unreachable
        self._people = people
        self.admin_keys = admin_keys

    def platform_for(self, chat: ChatRef) -> Platform | None:
        return self.platforms.get((chat.platform, chat.bot))

    def caps(self, chat: ChatRef) -> Capabilities | None:
        platform = self.platform_for(chat)
        return platform.caps if platform else None

    def spacing(self, chat: ChatRef) -> float:
        """Seconds between two sends into `chat` under its platform's per-chat limit."""
        limiter = self.limiters.get((chat.platform, chat.bot))
        return limiter.spacing(chat) if limiter is not None else 0.0

    def ready(self, chat: ChatRef) -> bool:
        """Whether a send into `chat` would go now as far as the chat's own limit goes."""
        limiter = self.limiters.get((chat.platform, chat.bot))
        return limiter is None or limiter.chat_ready(chat)

    def render(self, out: Outgoing, lang: str) -> Outgoing:
        """Turn buttons into typed-twin lines where the platform has no buttons (Zalo)."""
        caps = self.caps(out.chat)
        if not out.buttons or caps is None or caps.buttons:
            return out
        # In a group the bot may hear only replies to it and mentions (Zalo): ask for a reply.
        key = "button.typed_group" if out.chat.kind is ChatKind.GROUP else "button.typed"
        lines = [
            self.translate(lang, key, label=b.label, typed=b.typed)
            for row in out.buttons
            for b in row
            if b.typed
        ]
        text = out.text + ("\n\n" + "\n".join(lines) if lines else "")
        return replace(out, text=text, buttons=())

    async def transmit(self, out: Outgoing, *, lang: str = "", urgent: bool) -> SentRef:
        """One attempt: wait for the limits, send, count the quota; raises DeliveryError."""
        platform = self.platform_for(out.chat)
        if platform is None:
            # The platform is not running in this process (no token now): the chat itself is
            # fine, so keep the message for later rather than calling the chat unreachable.
            msg = f"platform {out.chat.platform}:{out.chat.bot} is not running"
            raise RetryLater(msg, retry_after=PLATFORM_DOWN_RETRY)
        quotas = self.quotas
        bot = out.chat.bot
        if quotas is not None and quotas.counted(bot) and quotas.state(bot).spent:
            msg = f"quota of {bot} is spent this month"
            raise QuotaExceeded(msg)
        out = self.render(out, lang or self.default_lang)
        intro = self.introductions
        if intro is not None:
            out = intro.first(out, lang or self.default_lang)
        limiter = self.limiters.get((out.chat.platform, out.chat.bot))
        slot = await limiter.acquire(out.chat, urgent=urgent) if limiter is not None else None
        try:
            sent = await platform.send(out)
        except QuotaExceeded:
            if quotas is not None:
                await quotas.mark_spent(bot)
            raise
        finally:
            if slot is not None:
                slot.done()
        if intro is not None:
            intro.sent(out)
        if quotas is not None:
            try:
                await quotas.count(bot, max(len(sent.message_ids), 1))
            except StoreError:
                # The message went out: a full disk refusing the count must not make it look
                # unsent (whoever sent it would send it, or do its work, again).
                log.exception("zalo quota not counted bot=%s", bot)
        return sent

    async def send(self, out: Outgoing, *, lang: str = "") -> SentRef | None:
        """Send now, ahead of bulk (a reply or a notice); None when it could not be delivered."""
        waited = 0.0
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            try:
                return await self.transmit(out, lang=lang, urgent=True)
            except RetryLater as exc:
                delay = min(exc.retry_after, REPLY_MAX_WAIT - waited)
                if attempt == REPLY_ATTEMPTS or delay <= 0:
                    log.warning("send gave up after %d attempts: %s", attempt, exc)
                    return None
                waited += delay
                await asyncio.sleep(delay)
            except ChatUnreachable as exc:
                log.info("chat unreachable platform=%s: %s", out.chat.platform, exc)
                self.on_unreachable(out.chat)
                return None
            except (QuotaExceeded, BadRequest, DeliveryError) as exc:
                log.warning("send refused platform=%s: %s", out.chat.platform, exc)
                return None
        return None

    async def edit(
        self,
        chat: ChatRef,
        message_id: str,
        text: str,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        urgent: bool = True,
    ) -> bool:
        """Edit a message in place where the platform can (progress lines); False otherwise."""
        platform = self.platform_for(chat)
        if platform is None or not platform.caps.edits:
            return False
        limiter = self.limiters.get((chat.platform, chat.bot))
        slot = await limiter.acquire(chat, urgent=urgent) if limiter is not None else None
        try:
            await platform.edit(chat, message_id, text, buttons)
        except DeliveryError as exc:
            log.info("edit refused platform=%s: %s", chat.platform, exc)
            return False
        finally:
            if slot is not None:
                slot.done()
        return True

    async def edit_buttons(
        self,
        chat: ChatRef,
        message_id: str,
        buttons: tuple[tuple[Button, ...], ...],
        *,
        urgent: bool = False,
    ) -> bool:
        """Replace the buttons under a message (a counter on a button); False where it cannot."""
        platform = self.platform_for(chat)
        if platform is None or not platform.caps.buttons:
            return False
        return await self._call(
            chat, urgent, "edit buttons", lambda: platform.edit_buttons(chat, message_id, buttons)
        )

    async def pin(self, chat: ChatRef, message_id: str) -> bool:
        """Pin quietly where the platform can; a refusal (no right to pin) is only logged.
        A pin is an API call like a send, so it waits for the same limits."""
        platform = self.platform_for(chat)
        if platform is None or not platform.caps.pins:
            return False
        return await self._call(chat, False, "pin", lambda: platform.pin(chat, message_id))

    async def _call(
        self, chat: ChatRef, urgent: bool, what: str, call: Callable[[], Awaitable[None]]
    ) -> bool:
        """One API call other than a send, under the chat's limits, retried on a flood limit."""
        limiter = self.limiters.get((chat.platform, chat.bot))
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            slot = await limiter.acquire(chat, urgent=urgent) if limiter is not None else None
            try:
                await call()
            except RetryLater as exc:
                if attempt == REPLY_ATTEMPTS or exc.retry_after > REPLY_MAX_WAIT:
                    log.info("%s gave up platform=%s: %s", what, chat.platform, exc)
                    return False
                await asyncio.sleep(exc.retry_after)
            except DeliveryError as exc:
                log.info("%s refused platform=%s: %s", what, chat.platform, exc)
                return False
            else:
                return True
            finally:
                if slot is not None:
                    slot.done()
        return False

    async def notify(self, person: Person, key: str, /, **params: object) -> bool:
        """Send a catalog message to the person's first reachable account on a running platform."""
        lang = person.language or self.default_lang
        for account in person.accounts:
            if not account.reachable:
                continue
            chat = private_chat(account.key)
            if self.platform_for(chat) is None:
                continue
            sent = await self.send(Outgoing(chat, self.translate(lang, key, **params)), lang=lang)
            if sent is not None:
                return True
        return False

    async def notify_admins(self, key: str, /, **params: object) -> int:
        """Tell every config admin who can be reached; returns how many were told."""
        told = 0
        by_key = {a.key: p for p in self._people() for a in p.accounts}
        for admin_key in self.admin_keys:
            person = by_key.get(admin_key)
            if person is not None and await self.notify(person, key, **params):
                told += 1
        return told

    async def download(self, chat: ChatRef, attachment: Attachment) -> bytes:
        """The bytes of a file that came with a message in `chat` (to keep or pass on)."""
        platform = self.platform_for(chat)
        if platform is None:
            msg = f"no running platform {chat.platform}:{chat.bot}"
            raise ChatUnreachable(msg)
        try:
            return await platform.download(attachment)
        except DeliveryError as exc:
            # Too big, expired or the platform is down: the person can send it again.
            log.info("download refused platform=%s: %s", chat.platform, exc)
            raise UserError("file.download_failed") from None

    async def is_group_admin(self, chat: ChatRef, user: UserRef) -> bool | None:
        """Whether `user` administers group `chat`; None when the platform cannot tell. A failed
        question raises its DeliveryError: a right that could not be checked is no right."""
        platform = self.platform_for(chat)
        if platform is None:
            return None
        return await platform.is_group_admin(chat, user)

    async def hears_group(self, chat: ChatRef, *, strict: bool = False) -> bool | None:
        """Whether ordinary talk reaches the bot in group `chat` (in a private chat: in groups on
        its platform in general); None when the platform cannot tell or is not running, or when
        asking failed (`strict`: then the DeliveryError is raised)."""
        platform = self.platform_for(chat)
        if platform is None:
            return None
        try:
            return await platform.hears_group(chat if chat.kind is ChatKind.GROUP else None)
        except DeliveryError as exc:
            log.info("hearing check failed platform=%s: %s", chat.platform, exc)
            if strict:
                raise
            return None

    async def answer_callback(self, chat: ChatRef, callback_id: str, text: str = "") -> None:
        platform = self.platform_for(chat)
        if platform is not None and callback_id:
            try:
                await platform.answer_callback(callback_id, text)
            except DeliveryError as exc:
                log.info("answerCallbackQuery refused: %s", exc)
