"""Section 3 of issue #17 around the grammar: the hint for a report sent without its command,
unit words in config, the village a report names, and all of it end to end on Telegram and
Zalo (the grammar's own table is test_grammar_typed.py)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.loading import ConfigError, load_config
from bot.core.actor import Actor
from bot.core.areas import AreaTree
from bot.core.errors import UserError
from bot.core.messages import UserRef
from bot.core.models import Role, RoleGrant
from bot.features.reports.grammar.hint import report_hint
from bot.features.reports.grammar.villages import named_village
from tests.features.reports.test_grammar import ROOT, TODAY
from tests.features.reports.test_grammar_typed import TYPES
from tests.features.reports.test_reports import _team
from tests.support.harness import World

# (message, the exact message the hint shows, or the key of the problem it tells)
# fmt: off
HINTS: list[tuple[str, str | None]] = [
    ("bc sinh 2", "/baocao Sinh: 2"),
    ("/bao cao sinh 2", "/baocao Sinh: 2"),
    ("Bc: sinh 2, chet 1.", "/baocao Sinh: 2, Chết: 1"),
    ("Em báo cáo sinh 2 chết 1 ạ", "/baocao Sinh: 2, Chết: 1"),
    ("Dạ bc kehoach dat vong 1", "/baocao kehoach Đặt vòng: 1"),
    ("báo cáo tháng 10: sinh 2 ca", "/baocao tháng 10/2026, Sinh: 2"),
    ("baocao thon Sơn Ninh sinh 1", "/baocao thôn Sơn Ninh, Sinh: 1"),
    ("@Bot Dân số bc sinh 2", "/baocao Sinh: 2"),
    ("bc sinh 2 đứa", "report.unknown_word"),
    ("bc bao cao su 2", "report.other_type"),
    # Ordinary talk, never a hint.
    ("báo cáo xong chưa", None),
    ("báo cáo tháng này ai chưa gửi", None),
    ("bao cao su 2 hộp", None),
    ("bc 2", None),
    ("bc sinh", None),
    ("sinh 2", None),
    ("hôm nay bc sinh 2 nhé", None),
    ("chị ơi báo cáo sinh 2 chưa", None),
    ("ok", None),
    ("@Bot Dân số chào bạn, 2 giờ họp", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), HINTS, ids=[h[0] for h in HINTS])
def test_a_report_without_its_command_gets_a_hint_and_talk_does_not(
    text: str, expected: str | None
) -> None:
    """Only a report word followed by a field and a number (or a whole report) is a report."""
    hint = report_hint(text, types=TYPES, today=TODAY)
    if expected is None:
        assert hint is None
    elif expected.startswith("/"):
        assert hint is not None and (hint.message, hint.problem) == (expected, None)
    else:
        assert hint is not None and hint.problem is not None and hint.problem.key == expected


def _problems(tmp_path: Path, units: Any, *, kind: str = "number") -> list[str]:
    doc = yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))
    types = copy.deepcopy(doc["report_types"])
    types[0]["fields"][0].update(units=units, type=kind)
    if kind == "choice":
        types[0]["fields"][0]["options"] = ["a", "b"]
        types[0]["rules"] = []
    doc["report_types"] = types
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("units", "kind", "problem"),
    [
        (["ca", "Ca"], "number", "units[1]: 'Ca' repeats an earlier unit"),
        (["2"], "number", "units[0]: '2' is only digits"),
        (["tháng"], "number", "units[0]: 'tháng' is a word of the report grammar"),
        (["ca, trẻ"], "number", "units[0]: 'ca, trẻ' contains one of"),
        (["chết"], "number", "units[0]: 'chết' is also a name of field 'chet'"),
        (["ca"], "choice", "units: units apply to number fields only"),
    ],
    ids=["repeat", "digits", "period-word", "separator", "field-name", "not-a-number"],
)
def test_unit_words_are_checked_in_config(
    tmp_path: Path, units: list[str], kind: str, problem: str
) -> None:
    """A unit people could not type, or that would read as a field, is a config problem."""
    found = _problems(tmp_path, units, kind=kind)
    assert any(p.startswith("report_types[0].fields[0].") and problem in p for p in found), found


def test_units_default_and_declared() -> None:
    """Number fields take the default units unless they declare theirs; others take none."""
    danso, daily, vaccines = TYPES.get("danso"), TYPES.get("tinhhinh"), TYPES.get("tiemchung")
    assert danso is not None and daily is not None and vaccines is not None
    assert danso.field("sinh").units == ("ca", "trẻ", "cháu", "người")
    assert danso.field("ket_hon").units == ("cặp", "đôi", "đám")
    assert daily.field("ghi_chu").units == ()
    assert (vaccines.field("so_mui").units, vaccines.field("so_lo").units) == (("mũi", "liều"), ())


def _village(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": "village"}


TREE = AreaTree.from_config(
    {"code": "42", "name": "Tỉnh", "kind": "province", "children": [
        {"code": "A", "name": "Xã An", "kind": "commune", "children": [
            _village("A-1", "Thôn Cây Đa"), _village("A-2", "Thôn Sơn Ninh"),
            _village("A-3", "Tổ dân phố 1"),
        ]},
        {"code": "B", "name": "Xã Bình", "kind": "commune", "children": [
            _village("B-1", "Thôn Cây"), _village("B-2", "Tổ dân phố 1"),
        ]},
    ]}
)  # fmt: skip
HOA = Actor(
    UserRef("zalo", "zalo1", "1"), "Chị Hoa", None,
    tuple(RoleGrant(Role.COLLABORATOR, c) for c in ("A-1", "A-2", "A-3")),
)  # fmt: skip
MINE = "Thôn Cây Đa, Thôn Sơn Ninh, Tổ dân phố 1"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Cây Đa", "A-1"),  # the whole name first: "Đa" is also a polite word
        ("cay da a", "A-1"),
        ("Sơn Ninh ạ", "A-2"),
        ("son ninh", "A-2"),
        ("A-2", "A-2"),
        ("Tổ dân phố 1", "A-3"),  # theirs, not the namesake of Xã Bình
        ("Cây", ("report.not_your_village", {"village": "Thôn Cây", "villages": MINE})),
        ("Xuân Hội ạ", ("report.unknown_village", {"village": "Xuân Hội", "villages": MINE})),
    ],
)
def test_a_named_village_is_one_of_the_senders_or_refused_listing_them(
    typed: str, expected: str | tuple[str, dict[str, str]]
) -> None:
    """Their own villages first; a refusal names the villages they cover, and the example
    (the report as sent) takes one of them."""
    if isinstance(expected, str):
        assert named_village(TREE, HOA, typed, example=lambda v: "").code == expected
        return
    with pytest.raises(UserError) as caught:
        named_village(TREE, HOA, typed, example=lambda v: f"/baocao {v.name if v else ''}")
    params = dict(caught.value.params)
    shown = params.pop("example", "/baocao Thôn Cây Đa")
    assert (caught.value.key, params, shown) == (*expected, "/baocao Thôn Cây Đa")


# --- end to end, on Telegram and on Zalo ------------------------------------------------------

SAVED = "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026:"
HINT = "Báo cáo cần bắt đầu bằng lệnh /baocao (có dấu /). Gửi tin này:\n"


async def test_reports_typed_as_people_type_them(world: World) -> None:
    """Privately: punctuated, with units and polite words, the command glued: stored; a rule,
    a period, a unit in doubt and an unknown village: refused with the message to copy; the
    command left out: the message to send."""
    admin, _, collab = await _team(world)
    d = world.driver
    chat = d.private(collab)

    assert (await d.say(collab, chat, "/bc Sinh 2, chet 1.")) == [f"{SAVED}\n• Sinh: 2\n• Chết: 1"]
    polite = "/bc Em báo cáo ạ:\nSinh: 1 trẻ.\nChết: 0.\nEm cảm ơn ạ!"
    assert (await d.say(collab, chat, polite)) == [f"{SAVED}\n• Sinh: 1\n• Chết: 0"]
    assert (await d.say(collab, chat, "/bc: ket hon 1 cặp")) == [f"{SAVED}\n• Kết hôn: 1"]
    glued = await d.say(collab, chat, "/bc,chuyen den 2 người,chuyen di 0.")
    assert glued == [f"{SAVED}\n• Chuyển đến: 2\n• Chuyển đi: 0"]

    rule = await d.say(collab, chat, "/bc sinh 2, sinh con trai 1, sinh con gai 2")
    assert rule == [
        "Số liệu chưa khớp: Số sinh con trai cộng số sinh con gái phải bằng số sinh.\n"
        "Bạn ghi: Sinh con trai 1 + Sinh con gái 2 = 3 ≠ Sinh 2.\n"
        "Ví dụ: /baocao Sinh: 3, Sinh con trai: 1, Sinh con gái: 2"
    ]
    period = (await d.say(collab, chat, "/bc thang 13, sinh 1 ạ"))[0]
    assert period.startswith("Không hiểu kỳ báo cáo «thang 13»")
    assert period.endswith("/baocao tháng 11/2026, Sinh: 1")
    assert await d.say(collab, chat, "/bc sinh 1 cặp") == [
        "Mục «Sinh» không đếm theo «cặp» mà theo: ca, trẻ, cháu, người. Hãy kiểm tra lại số.\n"
        "Ví dụ: /baocao Sinh: 1 ca"
    ]
    assert await d.say(collab, chat, "/bc thon Xuân Hội, sinh 1 ca") == [
        "Không tìm thấy thôn «Xuân Hội». Bạn phụ trách: Thôn Sơn Ninh.\n"
        "Ví dụ: /baocao Thôn Sơn Ninh, Sinh: 1"
    ]
    assert await d.say(collab, chat, "bc sinh 3") == [f"{HINT}/baocao Sinh: 3"]
    assert await d.say(collab, chat, "/bao cao chet 2") == [f"{HINT}/baocao Chết: 2"]

    app = world.bot.app
    assert app is not None and app.store is not None
    person = app.store.people.by_account(collab.key)
    assert person is not None
    stored = [r.values for r in app.store.reports.latest_by_reporter(person.id, limit=10)]
    assert sorted(map(str, stored)) == sorted(
        map(str, [{"sinh": 2, "chet": 1}, {"sinh": 1, "chet": 0}, {"ket_hon": 1},
                  {"chuyen_den": 2, "chuyen_di": 0}])
    )  # fmt: skip

    # A collaborator of two villages is asked which, with the report as sent for one of them.
    me = (await d.say(collab, chat, "/toi"))[0]
    number = re.search(r"mã số (\d+)", me)
    assert number is not None
    await d.say(admin, d.private(admin), f"/vaitro {number.group(1)} ctv Thôn Sơn Trung")
    which = (await d.say(collab, chat, "/bc sinh 1 ca ạ"))[0]
    assert "Thôn Sơn Ninh, Thôn Sơn Trung" in which
    assert which.endswith("/baocao Thôn Sơn Ninh, Sinh: 1")
    named = (await d.say(collab, chat, "/bc thon son trung ạ, sinh 1 ca"))[0]
    assert named.startswith("✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Trung")


async def test_a_report_without_its_command_in_a_group_gets_a_hint(world: World) -> None:
    """In a group, `bc sinh 2` and `/bao cao sinh 2` get the message to send, under them;
    ordinary talk gets nothing (Telegram: a bot that reads the group; Zalo: mentioned)."""
    _, officer, collab = await _team(world)
    d = world.driver
    if world.platform == "telegram":
        group = world.fake.group(
            -1004004004, "Nhóm Hương Sơn", admins=[officer.handle], members=[collab.handle],
            bot_is_admin=True,
        )  # fmt: skip
        at = ""
    else:
        group = world.fake.group("Nhóm Hương Sơn")
        at = "@Bot Dân số "
    assert await d.say(collab, group, f"{at}bc sinh 2") == [f"{HINT}/baocao Sinh: 2"]
    assert await d.say(collab, group, f"{at}/bao cao sinh 2, chet 1.") == [
        f"{HINT}/baocao Sinh: 2, Chết: 1"
    ]
    if world.platform == "telegram":
        assert world.fake.sent(group)[-1].reply_to_message_id is not None
        assert await d.say(collab, group, "Chiều nay họp lúc 2 giờ, 15 người nhé") == []
        assert await d.say(collab, group, "báo cáo tháng này ai chưa gửi?") == []
    else:
        talk = await d.say(collab, group, f"{at}báo cáo tháng này ai chưa gửi?")
        assert len(talk) == 1 and "/baocao" not in talk[0]
    glued = "/bc@DansoBot: sinh 2 ca" if world.platform == "telegram" else f"{at}/bc: sinh 2 ca"
    assert await d.say(collab, group, glued) == [f"{SAVED}\n• Sinh: 2"]
