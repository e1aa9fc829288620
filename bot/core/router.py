"""Router: the commands, typed twins, prompt answers and button presses of one handlers module."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.core.context import Context, Reply
from bot.core.messages import ChatKind
from bot.core.models import Role
from bot.core.text import fold

HandlerResult = Reply | list[Reply] | None
Handler = Callable[[Context], Awaitable[HandlerResult]]

GROUP_AND_PRIVATE = frozenset({ChatKind.GROUP, ChatKind.PRIVATE})
_WHERE = {"G": ChatKind.GROUP, "P": ChatKind.PRIVATE}


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its names (folded), where it may be used, who may use it, its help line."""

    name: str
    aliases: tuple[str, ...]
    handler: Handler
    where: frozenset[ChatKind]
    roles: frozenset[Role] | None  # None: anyone; else any of these (admins always pass)
    help_key: str
    order: int


@dataclass(frozen=True, slots=True)
class TypedTwin:
    """A plain-text form of a button or command (`ok 12`, `bỏ qua`), matched on folded text."""

    pattern: re.Pattern[str]
    handler: Handler


def parse_where(where: str) -> frozenset[ChatKind]:
    """Read the G/P column of COMMANDS.md ("GP", "P", "G")."""
    kinds = frozenset(_WHERE[c] for c in where.upper() if c in _WHERE)
    if not kinds:
        msg = f"where must use G and/or P, got {where!r}"
        raise ValueError(msg)
    return kinds


class Router:
    """Collects the handlers of one capability module; bot.app.runtime includes routers
    explicitly."""

    _order = 0

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []
        self.twins: list[TypedTwin] = []
        self.prompts: dict[str, Handler] = {}
        self.prompt_answers: dict[str, Callable[[str], bool]] = {}  # what answers a prompt
        self.prompt_left: dict[str, str] = {}  # the note when something else ends a prompt
        self.callbacks: dict[str, Handler] = {}
        self.edits: dict[str, Handler] = {}
        self.listeners: list[Handler] = []
        self.fallbacks: list[Handler] = []

    def command(
        self,
        name: str,
        *aliases: str,
        where: str = "GP",
        roles: Iterable[Role] | None = None,
        help_key: str = "",
    ) -> Callable[[Handler], Handler]:
        """Register `handler` for /name and its aliases (matched without case or diacritics)."""

        def register(handler: Handler) -> Handler:
            Router._order += 1
            self.commands.append(
                Command(
                    name=fold(name),
                    aliases=tuple(fold(a) for a in aliases),
                    handler=handler,
                    where=parse_where(where),
                    roles=frozenset(roles) if roles is not None else None,
                    help_key=help_key or f"help.{fold(name)}",
                    order=Router._order,
                )
            )
            return handler

        return register

    def typed(self, pattern: str) -> Callable[[Handler], Handler]:
        """Register a typed twin: a regex matched in full against the folded message text."""

        def register(handler: Handler) -> Handler:
            self.twins.append(TypedTwin(re.compile(pattern), handler))
            return handler

        return register

    def prompt(
        self, kind: str, *, answers: Callable[[str], bool] | None = None, left: str = ""
    ) -> Callable[[Handler], Handler]:
        """Register the handler that receives typed answers to a pending prompt of `kind`.
        With `answers`, only text it accepts is an answer: other text is handled as itself
        and the prompt keeps waiting (the handler hears what nothing else understood). With
        `left`, the catalog key of the note (given the prompt's data) that tells the person
        when something else ends the prompt: another question in its place, a new report."""

        def register(handler: Handler) -> Handler:
            self.prompts[kind] = handler
            if answers is not None:
                self.prompt_answers[kind] = answers
            if left:
                self.prompt_left[kind] = left
            return handler

        return register

    def edited(self, *names: str) -> Callable[[Handler], Handler]:
        """Register the handler of an edited message that carried one of these commands."""

        def register(handler: Handler) -> Handler:
            for name in names:
                self.edits[fold(name)] = handler
            return handler

        return register

    def heard(self) -> Callable[[Handler], Handler]:
        """Register a listener of group text that no command, typed twin or prompt took: the
        ordinary talk the bot overhears (Telegram without privacy mode, or as admin) and text
        addressed to it that it did not understand. It returns a reply, or None to stay quiet."""

        def register(handler: Handler) -> Handler:
            self.listeners.append(handler)
            return handler

        return register

    def misunderstood(self) -> Callable[[Handler], Handler]:
        """Register a handler of what nothing understood: an unknown command, text addressed
        to the bot that no twin or prompt took, group talk no listener answered (a report
        without its command, say). It returns a reply, or None for the usual answer (or, to
        ordinary talk, silence)."""

        def register(handler: Handler) -> Handler:
            self.fallbacks.append(handler)
            return handler

        return register

    def callback(self, prefix: str) -> Callable[[Handler], Handler]:
        """Register the handler of button presses whose data starts with `prefix:`."""

        def register(handler: Handler) -> Handler:
            self.callbacks[prefix] = handler
            return handler

        return register
