"""The neutral Platform interface every chat adapter implements, and its typed send errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.core.messages import Attachment, Button, ChatRef, Incoming, Outgoing, SentRef, UserRef

if TYPE_CHECKING:
    from aiohttp import web

# What a platform hands each incoming event to. It returns once the core has the event (written
# down durably, or refused for good: one person's flood), and only then may the platform confirm
# it (the next poll's offset, a webhook's 200). It raises NotTaken when the core could not take
# it in: the platform must not confirm it, so that it comes again.
Sink = Callable[[Incoming], Awaitable[None]]


class NotTaken(Exception):
    """The core could not take an event in (its store cannot write, or it is stopping): the
    platform keeps it unconfirmed (polling: the offset stays; a webhook: 5xx) to offer again."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do; the core adapts what it sends to these."""

    max_text: int
    buttons: bool
    edits: bool
    files: bool
    groups: bool
    pins: bool
    polls: bool = False  # native polls (Outgoing.poll); elsewhere the core asks in text


@dataclass(frozen=True, slots=True)
class BotCommand:
    """One entry of a platform's command menu."""

    command: str
    description: str


class DeliveryError(Exception):
    """A send that the platform refused; subclasses say whether to retry."""

    transient = False


class RetryLater(DeliveryError):
    """The platform asked us to wait (flood limit, 5xx, timeout); retry after `retry_after` s."""

    transient = True

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatUnreachable(DeliveryError):
    """The chat is gone for the bot: removed, blocked, unknown chat. Stop sending there."""


class QuotaExceeded(DeliveryError):
    """The bot's send quota is spent (Zalo 429): stop that bot's bulk sends."""


class BadRequest(DeliveryError):
    """The platform rejected the message itself (length, format); retrying will not help."""


class Platform(Protocol):
    """A running connection to one bot on one chat platform."""

    name: str
    bot: str
    caps: Capabilities
    mode: str  # "polling" or "webhook"
    last_receive_at: float | None  # time.monotonic() of the last poll answer or webhook call

    @property
    def receiving(self) -> bool:
        """Whether updates can still arrive (poller alive, or webhook registered and served)."""

    async def start(self, sink: Sink) -> None:
        """Begin receiving (polling task or webhook) and hand each Incoming to `sink`."""

    async def stop(self) -> None:
        """Stop receiving; sending still works until close()."""

    async def close(self) -> None:
        """Release connections (calls stop() first if needed)."""

    async def send(self, out: Outgoing) -> SentRef:
        """Send one message (split if long); raise a DeliveryError subclass on refusal."""

    async def edit(
        self,
        chat: ChatRef,
        message_id: str,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> None:
        """Edit a message the bot sent; platforms without edits raise BadRequest."""

    async def edit_buttons(
        self, chat: ChatRef, message_id: str, buttons: tuple[tuple[Button, ...], ...]
    ) -> None:
        """Replace only the buttons under a message the bot sent (text or file caption kept)."""

    async def pin(self, chat: ChatRef, message_id: str) -> None:
        """Pin a message quietly; raises a DeliveryError when the bot lacks the right."""

    async def answer_callback(self, callback_id: str, text: str = "") -> None:
        """Acknowledge a button press so the client stops its spinner."""

    async def download(self, attachment: Attachment) -> bytes:
        """Fetch the bytes of a file that came with an incoming message."""

    async def is_group_admin(self, chat: ChatRef, user: UserRef) -> bool | None:
        """Whether `user` administers group `chat`; None when the platform cannot tell (an
        anonymous admin, a platform with no such lookup); a DeliveryError when asking failed."""

    async def hears_group(self, chat: ChatRef | None = None) -> bool | None:
        """Whether ordinary group messages (neither commands, mentions nor replies to the bot)
        reach the bot: in group `chat`, or in groups in general when `chat` is None. Telegram:
        getMe's can_read_all_group_messages (privacy mode off) or admin rights in that group;
        Zalo: False (its bots hear only mentions and replies). None when it cannot tell; a
        DeliveryError when asking failed."""

    async def set_commands(self, commands: dict[str, list[BotCommand]]) -> None:
        """Register the command menu per language code ("" is the default); may be a no-op."""

    def routes(self) -> list[web.RouteDef]:
        """Webhook routes to mount on the one shared web server (empty when polling)."""
