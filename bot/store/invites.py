"""Invite codes of imported people, over the transaction core of every backend."""

from __future__ import annotations

from typing import cast

from bot.core.admin_records import Invite
from bot.store.core import Core
from bot.store.tables import Table


class InvitesRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["invites"])

    def add(self, invite: Invite) -> None:
        self._core.put("invites", invite.code, invite)

    def get(self, code: str) -> Invite | None:
        return cast(Invite | None, self._table.get(code))

    def save(self, invite: Invite) -> None:
        self._core.put("invites", invite.code, invite)

    def all(self) -> list[Invite]:
        return cast(list[Invite], self._table.values())
