"""A province-sized team for directive broadcasts, written into the store before the bot starts.

The shape: one health region with `group_communes` communes whose Telegram group is bound (one
village each) and `private_communes` communes without a group (`villages` villages each), whose
people get directives privately. Seeding the store directly keeps hundreds of people from having
to register through the bot, which would take longer than the broadcast itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.models import Account, GroupBinding, Role, RoleGrant
from tests.fakes.loopback import LoggedRequest
from tests.fakes.telegram_api import FakeChat, FakeTelegram, FakeUser
from tests.fakes.zalo_api import FakeZalo, ZaloUser
from tests.support import store_choice
from tests.support.harness import ZALO_BOT, ZALO_TOKEN, bot_environ, read_yaml, write_yaml

REGION = "R1"
DIRECTIVE = "Triển khai chiến dịch truyền thông dân số tháng 12 tại tất cả các thôn, tổ dân phố"


def group_commune(i: int) -> str:
    return f"G{i:03d}"


def private_commune(i: int) -> str:
    return f"P{i:03d}"


def village(commune: str, j: int = 1) -> str:
    return f"{commune}-{j:02d}"


def area_tree(*, group_communes: int, private_communes: int, villages: int) -> dict[str, Any]:
    """province → region → communes (with or without a group) → villages."""

    def commune(code: str, name: str, count: int) -> dict[str, Any]:
        return {
            "code": code, "name": name, "kind": "commune",
            "children": [
                {"code": village(code, j), "name": f"Thôn {j} {name}", "kind": "village"}
                for j in range(1, count + 1)
            ],
        }  # fmt: skip

    communes = [
        commune(group_commune(i), f"Xã Nhóm {i}", 1) for i in range(1, group_communes + 1)
    ] + [
        commune(private_commune(i), f"Xã Riêng {i}", villages)
        for i in range(1, private_communes + 1)
    ]
    return {
        "code": "42", "name": "Tỉnh Hà Tĩnh", "kind": "province",
        "children": [
            {"code": REGION, "name": "Trung tâm Y tế khu vực", "kind": "region",
             "children": communes},
        ],
    }  # fmt: skip


@dataclass(frozen=True)
class Member:
    """A person to seed: their account key, a role and the area it covers."""

    name: str
    key: str
    role: Role
    area: str
    reachable: bool = True


def seed_store(
    config: Path,
    members: list[Member],
    groups: list[tuple[str, str, str]],
    *,
    environ: dict[str, str] | None = None,
) -> dict[str, int]:
    """Write the people and the group bindings (chat key, area, title) in one commit; the
    person id of each account key comes back."""
    store = store_choice.open_configured(config, environ or bot_environ())
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    try:
        with store.atomic():
            for m in members:
                person = store.people.add(
                    name=m.name,
                    accounts=(Account(key=m.key, display_name=m.name, reachable=m.reachable),),
                    roles=(RoleGrant(m.role, m.area, granted_by="seed", granted_at=now),),
                    created_at=now,
                )
                ids[m.key] = person.id
            for chat_key, area, title in groups:
                store.groups.save(
                    GroupBinding(chat_key=chat_key, area=area, title=title, bound_at=now)
                )
    finally:
        store.close()
    return ids


def with_zalo_bots(config: Path, bots: list[dict[str, Any]]) -> None:
    """Replace the config's Zalo bots (a deployment with several, each with its own people)."""
    doc = read_yaml(config)
    doc["platforms"]["zalo"]["bots"] = bots
    write_yaml(config, doc)


def deadline_words(days: int = 10) -> tuple[str, str]:
    """`han dd/mm` some days ahead (the bot runs on real time here), and how it is shown."""
    when = date.today() + timedelta(days=days)
    return f"han {when:%d/%m}", f"⏰ Hạn: {when:%d/%m/%Y} 17:00"


@dataclass
class TelegramTeam:
    """An officer of the region, bound groups with one collaborator each, and people in the
    communes without a group who have all written to the bot privately."""

    officer: FakeUser
    groups: list[FakeChat]
    in_group: list[FakeUser]
    private: list[FakeUser]
    members: list[Member]
    bindings: list[tuple[str, str, str]]
    tree: dict[str, Any]


def telegram_team(
    fake: FakeTelegram,
    *,
    groups: int,
    private_communes: int,
    villages: int,
    per_village: int,
    bot_is_admin: Callable[[int], bool] = lambda i: False,
) -> TelegramTeam:
    """People and groups on the fake, and the same as records to seed the store with."""
    started = fake.bot_state().started
    officer = fake.user(900001, "Cán bộ Khu vực")
    started.add(officer.id)
    tree = area_tree(group_communes=groups, private_communes=private_communes, villages=villages)
    boss = Member(officer.first_name, f"telegram:{officer.id}", Role.OFFICER, REGION)
    team = TelegramTeam(officer, [], [], [], [boss], [], tree)
    for i in range(1, groups + 1):
        collaborator = fake.user(910000 + i, f"CTV Nhóm {i}")
        chat = fake.group(
            -100_000_000_000 - i, f"Y tế Xã Nhóm {i}", admins=[officer], members=[collaborator],
            bot_is_admin=bot_is_admin(i),
        )  # fmt: skip
        team.groups.append(chat)
        team.in_group.append(collaborator)
        team.bindings.append((f"telegram::{chat.id}", group_commune(i), chat.title))
        team.members.append(Member(collaborator.first_name, f"telegram:{collaborator.id}",
                                   Role.COLLABORATOR, village(group_commune(i))))  # fmt: skip
    for c in range(1, private_communes + 1):
        for v in range(1, villages + 1):
            for _ in range(per_village):
                n = len(team.private) + 1
                user = fake.user(920000 + n, f"CTV Riêng {n}")
                fake.private(user)
                started.add(user.id)  # they wrote to the bot once
                team.private.append(user)
                code = village(private_commune(c), v)
                team.members.append(
                    Member(user.first_name, f"telegram:{user.id}", Role.COLLABORATOR, code)
                )
    return team


# A deployment with several Zalo bots: the free plan allows 50 people per bot.
ZALO_BOTS = [(ZALO_BOT, ZALO_TOKEN), ("zalo2", "8877665544332212:zaloSecretTokenForTestsTwo456"),
             ("zalo3", "8877665544332213:zaloSecretTokenForTestsThree789")]  # fmt: skip
PER_BOT = 50


def zalo_environ() -> dict[str, str]:
    return {**bot_environ(), **{f"ZALO_BOT_TOKEN_{n.upper()}": t for n, t in ZALO_BOTS}}


def zalo_people(
    fake: FakeZalo, *, communes: int, per_bot: int = PER_BOT
) -> tuple[list[tuple[str, ZaloUser]], list[Member]]:
    """`per_bot` people on each bot of ZALO_BOTS, spread over the first `communes` communes
    without a group (two villages each); each has written to their bot once."""
    for name, token in ZALO_BOTS:
        if token not in fake.bots:
            fake.add_bot(token, name=f"Bot Dân số {name}")
    people, members = [], []
    # Interleaved over the bots: the outbox takes due messages in order, so a run of one bot's
    # messages would wait on that bot's limit while the other bots stay idle.
    for k in range(per_bot):
        for name, token in ZALO_BOTS:
            user = fake.user(f"Người {name} {k}", bot=token)
            fake.chats[(token, user.id)].reachable = True
            people.append((name, user))
            commune = private_commune(len(people) % communes + 1)
            members.append(Member(user.display_name, f"zalo:{name}:{user.id}",
                                  Role.COLLABORATOR, village(commune, k % 2 + 1)))  # fmt: skip
    return people, members


def zalo_breaches(
    entries: list[LoggedRequest], *, per_second_total: int, per_second_per_chat: int
) -> list[str]:
    """Replays one Zalo bot's answered sends against sliding one-second windows."""
    problems: list[str] = []
    sends = [e for e in entries if e.method == "sendMessage" and e.ok]
    for i, entry in enumerate(sends):
        window = [e for e in sends[: i + 1] if e.at > entry.at - 1.0]
        if len(window) > per_second_total:
            problems.append(f"{len(window)} sends within 1 s at {entry.at:.3f}")
        chat = entry.params.get("chat_id")
        same = [e for e in window if e.params.get("chat_id") == chat]
        if len(same) > per_second_per_chat:
            problems.append(f"{len(same)} sends into {chat} within 1 s")
    return problems
