"""Who a directive reaches: groups inside the target, privately the rest, and who is left."""

from __future__ import annotations

from bot.core.areas import AreaTree
from bot.core.models import Account, GroupBinding, Person, Role, RoleGrant
from bot.features.broadcast.reach import compute_reach
from tests.support.harness import AREAS

TREE = AreaTree.from_config(AREAS)
RUNNING = {("telegram", ""), ("zalo", "zalo1")}


def _person(pid: int, area: str, *accounts: Account, role: Role = Role.COLLABORATOR,
            active: bool = True) -> Person:  # fmt: skip
    return Person(pid, f"P{pid}", accounts=accounts, roles=(RoleGrant(role, area),), active=active)


def _tg(uid: int, reachable: bool = True) -> Account:
    return Account(f"telegram:{uid}", reachable=reachable)


def _zl(uid: str, reachable: bool = True, bot: str = "zalo1") -> Account:
    return Account(f"zalo:{bot}:{uid}", reachable=reachable)


def _group(chat_id: int, area: str, *, active: bool = True) -> GroupBinding:
    return GroupBinding(f"telegram::{chat_id}", area, active=active)


def test_groups_cover_their_platform_and_the_rest_go_privately() -> None:
    people = [
        _person(1, "18133-01", _tg(101)),  # in the Hương Sơn group
        _person(2, "18133-02", _zl("z2")),  # same commune, but on Zalo: privately
        _person(3, "18115-01", _tg(103)),  # Bắc Hồng Lĩnh has no group: privately
        _person(4, "18115-02", _tg(104, reachable=False)),  # never wrote to the bot
        _person(5, "18133-01", _tg(105), active=False),  # left
        _person(6, "18133", _tg(106), role=Role.OFFICER),  # the author
        _person(7, "18133", _tg(107), role=Role.OFFICER),  # the commune officer: the group
    ]
    groups = [_group(-1, "18133"), _group(-2, "18115", active=False), _group(-3, "42")]
    reach = compute_reach(
        areas=TREE, targets=["R1"], people=people, groups=groups, running=RUNNING, author=6
    )
    assert [g.chat_key for g in reach.groups] == ["telegram::-1"]
    assert [(r.person.id, key) for r, key in reach.private] == [
        (2, "zalo:zalo1:z2"),
        (3, "telegram:103"),
    ]
    assert [r.person.id for r in reach.unreachable] == [4]
    assert [(r.person.id, r.area) for r in reach.expected] == [
        (1, "18133-01"), (2, "18133-02"), (3, "18115-01"), (4, "18115-02"), (7, "18133"),
    ]  # fmt: skip
    groups_by, private_by = reach.count_by_platform()
    assert dict(groups_by) == {"telegram": 1}
    assert dict(private_by) == {"zalo": 1, "telegram": 1}


def test_a_village_target_leaves_the_commune_group_out() -> None:
    people = [_person(1, "18133-01", _tg(101)), _person(2, "18133-02", _tg(102))]
    reach = compute_reach(
        areas=TREE, targets=["18133-01"], people=people, groups=[_group(-1, "18133")],
        running=RUNNING, author=None,
    )  # fmt: skip
    assert reach.groups == ()
    assert [(r.person.id, key) for r, key in reach.private] == [(1, "telegram:101")]


def test_a_village_group_covers_only_its_village() -> None:
    people = [_person(1, "18133-01", _tg(101)), _person(2, "18133-02", _tg(102))]
    reach = compute_reach(
        areas=TREE, targets=["18133"], people=people, groups=[_group(-9, "18133-01")],
        running=RUNNING, author=None,
    )  # fmt: skip
    assert [g.area for g in reach.groups] == ["18133-01"]
    assert [r.person.id for r, _ in reach.private] == [2]


def test_private_chats_prefer_a_running_platform() -> None:
    person = _person(1, "18133-01", _zl("z1", bot="zalo9"), _tg(101))
    reach = compute_reach(
        areas=TREE, targets=["18133"], people=[person], groups=[], running=RUNNING, author=None
    )
    assert [key for _, key in reach.private] == ["telegram:101"]
    alone = _person(2, "18133-01", _zl("z2", bot="zalo9"))
    reach = compute_reach(
        areas=TREE, targets=["18133"], people=[alone], groups=[], running=RUNNING, author=None
    )
    # Its bot is not running now, but the chat is fine: the outbox keeps it until it runs.
    assert [key for _, key in reach.private] == ["zalo:zalo9:z2"]
