"""The typed context a handler receives, and the Reply it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.messages import Attachment, Button, ChatKind, Incoming, OutFile, SentRef
from bot.core.models import Role

if TYPE_CHECKING:
    from bot.app.services import Services
    from bot.core.actor import Actor
    from bot.core.models import Prompt
    from bot.core.platform import Capabilities

ROLE_KEYS = {
    Role.COLLABORATOR: "role.collaborator",
    Role.OFFICER: "role.officer",
    Role.SUPERVISOR: "role.supervisor",
    Role.ADMIN: "role.admin",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers. `private` sends it to the sender's private chat instead;
    `on_sent` is told which message(s) it became, once sent (e.g. so that a reply to a
    report's echo means that report)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    private: bool = False
    force_reply: bool = False
    file: OutFile | None = None
    on_sent: Callable[[SentRef], None] | None = None


@dataclass(slots=True)
class Context:
    """One event with its actor, the command's arguments, the services and the language; and
    the few things a handler may ask of its chat (answer a pressed button, the chat's
    capabilities…), so that it reaches no delivery object and sends nothing of its own."""

    incoming: Incoming
    actor: Actor
    services: Services
    lang: str
    command: str = ""
    args: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_private(self) -> bool:
        return self.incoming.chat.kind is ChatKind.PRIVATE

    @property
    def is_group(self) -> bool:
        return self.incoming.chat.kind is ChatKind.GROUP

    def t(self, key: str, /, **params: Any) -> str:
        """The catalog text of `key` in this person's language."""
        return self.services.translate(self.lang, key, **params)

    def reply(self, key: str, /, **params: Any) -> Reply:
        """A plain text reply from the catalog."""
        return Reply(self.t(key, **params))

    def ask(
        self,
        kind: str,
        text: str,
        *,
        data: dict[str, Any] | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
        ttl: timedelta | None = None,
    ) -> Reply:
        """Reply with a question and remember it as this person's one pending prompt here."""
        self.services.prompts.set(self.incoming, kind=kind, data=data or {}, ttl=ttl)
        return Reply(text, buttons=buttons, force_reply=self.is_group)

    def current_prompt(self) -> Prompt | None:
        """This person's live pending question in this chat (an expired one is dropped)."""
        prompt, _ = self.services.prompts.get(self.incoming)
        return prompt

    def keep_prompt(self, kind: str, data: dict[str, Any]) -> None:
        """Replace this person's pending question here without asking it again."""
        self.services.prompts.set(self.incoming, kind=kind, data=data)

    def clear_prompt(self) -> bool:
        """Drop this person's pending question here; whether there was one."""
        return self.services.prompts.clear(self.incoming)

    # --- the chat this event came from --------------------------------------------------------

    def capabilities(self) -> Capabilities | None:
        """What this chat's platform can show (buttons, files, the text limit); None when its
        platform is not running."""
        return self.services.delivery.sender.caps(self.incoming.chat)

    async def answer_button(self, text: str = "") -> None:
        """Answer the pressed button (a platform waits for it); `text` pops up for the presser."""
        await self.services.delivery.sender.answer_callback(
            self.incoming.chat, self.incoming.callback_id, text
        )

    async def remove_buttons(self) -> None:
        """Take the buttons off the message whose button was pressed: it has done its job."""
        inc = self.incoming
        await self.services.delivery.sender.edit_buttons(inc.chat, inc.message_id, (), urgent=True)

    async def edit_message(self, text: str, buttons: tuple[tuple[Button, ...], ...]) -> None:
        """Rewrite the message whose button was pressed, in place (where the platform edits)."""
        inc = self.incoming
        await self.services.delivery.sender.edit(inc.chat, inc.message_id, text, buttons=buttons)

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of a file that came with this event (a refusal when it cannot be had)."""
        return await self.services.delivery.sender.download(self.incoming.chat, attachment)

    async def sender_is_group_admin(self) -> bool | None:
        """Whether the sender administers this group; None when the platform cannot tell; a
        DeliveryError when the platform could not be asked."""
        inc = self.incoming
        return await self.services.delivery.sender.is_group_admin(inc.chat, inc.sender)
