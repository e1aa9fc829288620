"""Expected refusals: exceptions carrying the message key the person reads; not bugs."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A refusal or bad input; `key` names the catalog message, `params` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Forbidden(UserError):
    """The sender's role or area does not allow this action."""


class WrongPlace(UserError):
    """The command is used in the wrong kind of chat (group vs private)."""


class NotFound(UserError):
    """The thing named (area, person, registration, code) does not exist."""
