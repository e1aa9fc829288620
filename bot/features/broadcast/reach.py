"""Who a directive reaches: bound groups inside the target, and privately everyone else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.messages import UserRef
from bot.core.models import GroupBinding, Person, Role

if TYPE_CHECKING:
    from bot.core.areas import AreaTree

# Who is expected to receive and acknowledge (COMMANDS.md: /danhan is for collaborators and
# officers); supervisors follow a directive with /tinhtrang instead.
FIELD_ROLES = frozenset({Role.COLLABORATOR, Role.OFFICER})


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person expected to acknowledge, with the area their role holds inside the target."""

    person: Person
    area: str


@dataclass(frozen=True, slots=True)
class Reach:
    """Where the copies go: groups, private chats (recipient, account key), and who is left."""

    groups: tuple[GroupBinding, ...]
    private: tuple[tuple[Recipient, str], ...]
    unreachable: tuple[Recipient, ...]
    expected: tuple[Recipient, ...]

    def count_by_platform(self) -> tuple[Counter[str], Counter[str]]:
        """Groups and private chats per platform name."""
        groups = Counter(_shown(*_chat_bot(g.chat_key)) for g in self.groups)
        private = Counter(
            _shown(u.platform, u.bot) for u in map(UserRef.parse, (k for _, k in self.private))
        )
        return groups, private


@dataclass(frozen=True, slots=True)
class ReachPreview:
    """A draft's reach as its preview shows it, before /xacnhan."""

    groups: dict[str, int]  # platform → groups
    private: dict[str, int]  # platform → people written to privately
    expected: int
    unreachable: list[str]  # names
    costs: dict[str, tuple[int, int]]  # Zalo bot → (messages it would spend, left this month)


def _shown(platform: str, bot: str) -> str:
    """The app a chat is on, as people know it (the sandbox imitates Telegram or Zalo)."""
    return bot if platform == "sandbox" else platform


def _chat_bot(chat_key: str) -> tuple[str, str]:
    platform, bot, _ = chat_key.split(":", 2)
    return platform, bot


def compute_reach(
    *,
    areas: AreaTree,
    targets: Collection[str],
    people: Iterable[Person],
    groups: Iterable[GroupBinding],
    running: Collection[tuple[str, str]],
    author: int | None,
) -> Reach:
    """Every active group bound inside a target, on every platform; every active person with a
    field role inside a target gets it privately unless such a group on one of their platforms
    covers their area. Those with neither are unreachable, and still expected."""

    def inside(code: str) -> bool:
        return any(areas.contains(t, code) for t in targets if code in areas)

    bound = tuple(g for g in groups if g.active and g.area in areas and inside(g.area))
    private: list[tuple[Recipient, str]] = []
    unreachable: list[Recipient] = []
    expected: list[Recipient] = []
    for person in people:
        if not person.active or person.id == author:
            continue
        area = next((g.area for g in person.roles if g.role in FIELD_ROLES and inside(g.area)), "")
        if not area:
            continue
        recipient = Recipient(person, area)
        expected.append(recipient)
        if _in_a_group(person, area, bound, areas):
            continue
        account = private_account(person, running)
        if account:
            private.append((recipient, account))
        else:
            unreachable.append(recipient)
    return Reach(bound, tuple(private), tuple(unreachable), tuple(expected))


def _in_a_group(person: Person, area: str, bound: Iterable[GroupBinding], areas: AreaTree) -> bool:
    platforms = {(u.platform, u.bot) for u in (UserRef.parse(a.key) for a in person.accounts)}
    return any(_chat_bot(g.chat_key) in platforms and areas.contains(g.area, area) for g in bound)


def private_account(person: Person, running: Collection[tuple[str, str]]) -> str:
    """The account to write to privately: reachable, on a running platform if one is."""
    reachable = [a.key for a in person.accounts if a.reachable]
    live = [k for k in reachable if (UserRef.parse(k).platform, UserRef.parse(k).bot) in running]
    return (live or reachable or [""])[0]
