"""The typed context a handler receives, and the Reply it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.messages import Button, ChatKind, Incoming, OutFile
from bot.core.models import Role

if TYPE_CHECKING:
    from bot.app.services import Services
    from bot.core.actor import Actor

ROLE_KEYS = {
    Role.COLLABORATOR: "role.collaborator",
    Role.OFFICER: "role.officer",
    Role.SUPERVISOR: "role.supervisor",
    Role.ADMIN: "role.admin",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers. `private` sends it to the sender's private chat instead."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    private: bool = False
    force_reply: bool = False
    file: OutFile | None = None


@dataclass(slots=True)
class Context:
    """One event with its actor, the command's arguments, the services and the language."""

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
