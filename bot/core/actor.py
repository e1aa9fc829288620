"""Who is acting: the sender's identity, person record and role grants, and what they cover."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.messages import ChatRef, UserRef
from bot.core.models import Person, Role, RoleGrant

if TYPE_CHECKING:
    from bot.core.areas import AreaTree


@dataclass(frozen=True, slots=True)
class Actor:
    """The sender of one event; roles come from ids (grants, config admins), never names."""

    user: UserRef
    name: str
    person: Person | None
    grants: tuple[RoleGrant, ...]
    anonymous: bool = False  # a Telegram group admin posting as the group: we cannot know who
    chat: ChatRef | None = None  # where the event came from (the audit trail's `where`)

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.ADMIN for g in self.grants)

    def has_any(self, roles: Iterable[Role]) -> bool:
        """True when the actor holds one of `roles` anywhere (admins hold every role)."""
        wanted = set(roles)
        return any(g.role in wanted or g.role is Role.ADMIN for g in self.grants)

    def covers(self, areas: AreaTree, area: str, roles: Iterable[Role]) -> bool:
        """True when one of the actor's grants of `roles` (or admin) lies over `area`."""
        wanted = set(roles) | {Role.ADMIN}
        return any(g.role in wanted and areas.contains(g.area, area) for g in self.grants)

    def reads(
        self, areas: AreaTree, *, author: int, targets: Iterable[str], roles: Iterable[Role]
    ) -> bool:
        """Whether the actor may follow something sent to `targets` (a directive, a survey):
        they wrote it, or one of `roles` of theirs lies over one of its targets."""
        if self.person is not None and author == self.person.id:
            return True
        wanted = tuple(roles)
        return any(self.covers(areas, t, wanted) for t in targets if t in areas)

    def areas_of(self, roles: Iterable[Role]) -> list[str]:
        """The area codes where the actor holds one of `roles` (or admin)."""
        wanted = set(roles) | {Role.ADMIN}
        return [g.area for g in self.grants if g.role in wanted]
