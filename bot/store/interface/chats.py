"""Repository Protocols of chats: group bindings, the pending prompt per (chat, user), and
the exactly-once intake of platform updates."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.messages import Incoming
from bot.core.models import GroupBinding, Prompt


class GroupsRepo(Protocol):
    """Group chats bound to areas."""

    def save(self, binding: GroupBinding) -> None:
        """Insert or replace the binding of `binding.chat_key`."""

    def get(self, chat_key: str) -> GroupBinding | None:
        """The binding of this chat, or None."""

    def all(self) -> list[GroupBinding]:
        """Every binding, by chat key."""

    def remove(self, chat_key: str) -> None:
        """Forget the binding of this chat (no error if there is none)."""


class PromptsRepo(Protocol):
    """The one pending question per (chat, user)."""

    def set(self, prompt: Prompt) -> None:
        """Store the prompt, replacing any other for the same chat and user."""

    def get(self, chat_key: str, user_key: str) -> Prompt | None:
        """The prompt as stored (the caller checks `expires_at`), or None."""

    def clear(self, chat_key: str, user_key: str) -> None:
        """Drop the prompt of this chat and user (no error if there is none)."""

    def take_expired(self, *, now: datetime) -> list[Prompt]:
        """Remove and return the prompts whose `expires_at` has passed, in one commit."""


class InboundRepo(Protocol):
    """Exactly-once intake: each platform update is taken in once (whichever instance gets it,
    however often the platform delivers it), kept until handled, then remembered as handled
    until purged."""

    def seen(self, key: str) -> bool:
        """Whether this update key was marked."""

    def mark(self, key: str, *, at: datetime) -> None:
        """Remember this update key as handled at `at` (and drop it from the inbox)."""

    def receive(self, key: str, incoming: Incoming, *, at: datetime) -> bool:
        """Keep an event taken in but not handled yet (durable before the platform is told).

        True when the key is new and the event is now kept; False, writing nothing, when this
        key was received or handled before (until `purge` forgets it): the update is claimed
        once, so of two instances given the same update only one gets True."""

    def waiting(self) -> list[Incoming]:
        """Events received and not yet marked handled (after a crash), oldest first."""

    def ahead(self, chat_key: str, key: str) -> list[Incoming]:
        """Events of the chat `chat_key` received before `key` and not yet handled, oldest
        first: what must be handled before it, so one chat's events keep their order across
        instances. Empty when there are none, or when `key` is not waiting itself."""

    def purge(self, *, before: datetime) -> int:
        """Forget keys marked before `before`; return how many went."""
