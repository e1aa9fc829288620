"""Which report a correction means, table-driven over the reports service (no chat): a number,
a type named first, the one recent type with the fields named, an echo replied to; and the
refusals, each with the right form to type."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config.reports import ReportTypeConfig
from bot.core.actor import Actor
from bot.core.areas import AreaTree
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.messages import ChatKind, ChatRef, Incoming, ReplyInfo, UpdateKind, UserRef
from bot.core.models import Role, RoleGrant
from bot.features.reports.echoes import KEEP
from bot.features.reports.numbering import split_number
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes
from bot.store.memory import MemoryStore

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
CHAT = ChatRef("telegram", "", "1", ChatKind.PRIVATE)
TREE = AreaTree.from_config({
    "code": "X", "name": "Xã Hương Sơn", "kind": "commune",
    "children": [{"code": "V1", "name": "Thôn Sơn Ninh", "kind": "village"}],
})  # fmt: skip


def _type(code: str, name: str, *fields: tuple[str, str]) -> ReportTypeConfig:
    return ReportTypeConfig.model_validate({
        "code": code, "name": {"vi": name},
        "fields": [{"code": c, "name": {"vi": n}} for c, n in fields],
    })  # fmt: skip


# "Chết" is a field of two types: the field alone cannot tell which report is meant.
TYPES = ReportTypes.from_config([
    _type("danso", "Dân số", ("sinh", "Sinh"), ("chet", "Chết")),
    _type("kehoach", "Kế hoạch", ("vong", "Đặt vòng")),
    _type("tuvong", "Tử vong trẻ em", ("chet", "Chết"), ("duoi_1", "Dưới 1 tuổi")),
], default="danso")  # fmt: skip


def _world(*sent: str) -> tuple[Reports, Actor]:
    """A collaborator of Thôn Sơn Ninh who sent these reports (numbered 1, 2, … in order)."""
    store = MemoryStore()
    person = store.people.add(name="Hoa", created_at=NOW)
    actor = Actor(UserRef("telegram", "", "1"), "Hoa", person,
                  (RoleGrant(Role.COLLABORATOR, "V1"),))  # fmt: skip
    reports = Reports(store=store, areas=TREE, types=TYPES, clock=ManualClock(NOW),
                      tz=ZoneInfo("Asia/Ho_Chi_Minh"))  # fmt: skip
    for n, text in enumerate(sent, start=1):
        reports.submit(actor, _said(n), text)
    return reports, actor


def _said(n: int) -> Incoming:
    return Incoming(str(n), UpdateKind.MESSAGE, CHAT, UserRef("telegram", "", "1"), "Hoa", "",
                    NOW, message_id=str(n))  # fmt: skip


SENT = ("sinh 2 chet 1", "kehoach vong 1", "tuvong chet 1 duoi 1 tuoi 1")


@pytest.mark.parametrize(
    ("sent", "typed", "number", "values"),
    [
        (SENT, "sinh 3", 1, {"sinh": 3, "chet": 1}),
        (SENT, "vong 2", 2, {"vong": 2}),
        (SENT, "duoi 1 tuoi 0", 3, {"chet": 1, "duoi_1": 0}),
        (SENT, "danso chet 2", 1, {"sinh": 2, "chet": 2}),  # a type named first
        (SENT, "Tử vong trẻ em: chết 0", 3, {"chet": 0, "duoi_1": 1}),
        (SENT, "1 chet 4", 1, {"sinh": 2, "chet": 4}),  # a number first
        (SENT, "#3 chet 4", 3, {"chet": 4, "duoi_1": 1}),
        (SENT, "số 2, vong 0", 2, {"vong": 0}),
        (SENT[:2], "chet 2", 1, {"sinh": 2, "chet": 2}),  # only one recent type has it
    ],
)
def test_which_report_a_correction_means(
    sent: tuple[str, ...], typed: str, number: int, values: dict[str, int]
) -> None:
    """A number, a type named first, or the one recent type that has every field named."""
    reports, actor = _world(*sent)
    saved = reports.corrections.correct(actor, _said(99), typed)
    assert (saved.report.number, saved.report.values) == (number, values)


@pytest.mark.parametrize(
    ("sent", "typed", "key", "params"),
    [
        (
            SENT,
            "chet 2",
            "report.fix_which",
            {
                "example": "/sua 3 chet 2",
                "choices": "• 3: Tử vong trẻ em, Thôn Sơn Ninh\n• 1: Dân số, Thôn Sơn Ninh",
            },
        ),
        (SENT[:1], "vong 1", "report.fix_no_recent", {"type": "Kế hoạch"}),
        (SENT[:1], "kehoach vong 1", "report.fix_no_recent", {"type": "Kế hoạch"}),
        (SENT, "sinh abc", "report.bad_value", {"field": "Sinh", "value": "abc"}),
        (SENT, "", "report.fix_usage", {"example": "/sua 3 chết 2"}),
        (SENT, "2 sinh 1", "report.fix_not_in_report", {"number": 2, "field": "Sinh"}),
        (SENT, "1 tuvong chet 1", "report.fix_wrong_type", {"named": "Tử vong trẻ em"}),
        (SENT, "7 sinh 1", "report.number_unknown", {"number": 7}),
        ((), "sinh 1", "report.nothing_to_fix", {}),
    ],
)
def test_a_correction_that_cannot_be_placed_is_refused_with_the_right_form(
    sent: tuple[str, ...], typed: str, key: str, params: dict[str, object]
) -> None:
    """Each refusal names what to type instead; the grammar's own refusals show `/sua n`."""
    reports, actor = _world(*sent)
    with pytest.raises(UserError) as refused:
        reports.corrections.correct(actor, _said(99), typed)
    assert refused.value.key == key
    assert params.items() <= refused.value.params.items()
    example = refused.value.params.get("example", "")
    assert "/baocao" not in str(example), "a correction's example is a /sua"


def test_a_reply_to_an_echo_means_its_report_while_the_chat_keeps_it() -> None:
    """Echoes are remembered per chat, the last KEEP of them; an older one says nothing."""
    reports, actor = _world(*SENT)
    echoes = reports.corrections.echoes
    for n in range(KEEP + 1):
        echoes.remember(CHAT.key, [str(1000 + n)], 1 + n % 3)
    echoes.remember("zalo:b:other", ["1001"], 3)
    assert echoes.number_of(CHAT.key, "1000") is None, "the oldest one was let go"
    assert (
        echoes.number_of(CHAT.key, "1001") == 2 and echoes.number_of("zalo:b:other", "1001") == 3
    )
    reply = replace(_said(99), reply_to=ReplyInfo("1002", from_bot=True))
    assert reports.corrections.correct(actor, reply, "chet 5").report.number == 3
    reply = replace(_said(99), reply_to=ReplyInfo("1001", from_bot=True))
    with pytest.raises(UserError, match=r"report\.fix_not_in_report"):
        reports.corrections.correct(actor, reply, "sinh 5")  # no. 2 has no births: not no. 1
    reply = replace(_said(99), reply_to=ReplyInfo("1000", from_bot=True))
    assert reports.corrections.correct(actor, reply, "sinh 5").report.number == 1, (
        "an echo no longer kept says nothing: the field rule decides"
    )


@pytest.mark.parametrize(
    ("text", "number", "rest"),
    [
        ("12 chet 2", 12, "chet 2"),
        ("#12 chet 2", 12, "chet 2"),
        ("Số 12: chết 2", 12, "chết 2"),
        ("so 12, chet 2", 12, "chet 2"),
        ("12", 12, ""),
        ("chet 2", None, "chet 2"),
        ("số sinh 3", None, "số sinh 3"),
        ("sinh con thu 3 2", None, "sinh con thu 3 2"),
        ("12a chet", None, "12a chet"),
    ],
)
def test_a_report_number_is_read_before_the_fields(
    text: str, number: int | None, rest: str
) -> None:
    """`12`, `#12`, `số 12` first name a report; a field name never starts with a digit."""
    assert split_number(text) == (number, rest)
