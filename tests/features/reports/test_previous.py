"""Starting from the previous report (period mode): `/bc thaisan như kỳ trước [field value …]`
repeats October's values in November, changing only the fields named, and the echo says what
changed; the step-by-step form offers each of October's answers to keep (Telegram: a «Giữ 12»
button on the keypad; Zalo: typed «g»). End to end on Telegram and Zalo, then the pure parts
as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config.reports import ReportTypeConfig
from bot.core.errors import UserError
from bot.core.models import Report, Role
from bot.features.reports.previous import carried, is_keep, start_from
from bot.features.reports.types import ReportType, ReportTypes
from tests.features.reports.test_form_checks import _press, _question
from tests.support.directive_seed import Member, seed_store
from tests.support.harness import Person, World, eventually, read_yaml, write_config

ROOT = Path(__file__).resolve().parents[3]
SON_NINH = "18133-01"
HEAD = "Thai sản và sàng lọc – Thôn Sơn Ninh"
# A rule on the period-mode type, so that a carried-over report is checked as a whole.
RULE = {
    "check": "sang_loc_truoc_sinh <= co_thai",
    "message": {"vi": "Số sàng lọc trước sinh không thể lớn hơn số phụ nữ có thai.",
                "en": "Prenatal screenings cannot exceed pregnant women."},
}  # fmt: skip


def _report_types() -> list[dict[str, Any]]:
    """The shipped report types, with RULE on «Thai sản và sàng lọc»."""
    types: list[dict[str, Any]] = read_yaml(ROOT / "config.yaml")["report_types"]
    for rt in types:
        if rt["code"] == "thaisan":
            rt["rules"] = [*rt.get("rules", []), RULE]
    return types


async def _hoa(world: World) -> tuple[Person, Any]:
    """Chị Hoa, collaborator of Thôn Sơn Ninh (seeded), and her private chat with the bot."""
    hoa = world.driver.person("Chị Hoa")
    config = write_config(world.folder, admins=[], extra={"report_types": _report_types()},
                          **{f"{world.platform}_url": world.fake.base_url})  # fmt: skip
    seed_store(config, [Member("Chị Hoa", hoa.key, Role.COLLABORATOR, SON_NINH)], [])
    await world.bot.start()
    return hoa, world.driver.private(hoa)


def _stored(world: World, period: str) -> Report | None:
    app = world.bot.app
    assert app is not None and app.store is not None
    return app.store.reports.get(f"thaisan:{SON_NINH}:{period}")


async def test_nhu_ky_truoc_repeats_last_period_and_changes_only_what_is_named(
    world: World,
) -> None:
    hoa, chat = await _hoa(world)
    d = world.driver
    # October's report, sent late in November (the period still takes it).
    october = (await d.say(hoa, chat, "/bc thaisan thang 10 co thai 12, SLTS 3, SLSS 2"))[0]
    assert october.startswith(f"✅ Đã lưu báo cáo {HEAD}, tháng 10/2026:")

    # One change: the echo shows it, and sums up what was kept.
    changed = (await d.say(hoa, chat, "/bc thaisan như kỳ trước có thai 14"))[0]
    assert changed.splitlines() == [
        f"✅ Đã lưu báo cáo {HEAD}, tháng 11/2026:",
        "• Phụ nữ có thai: 12 → 14",
        "• Giữ như tháng 10/2026: Sàng lọc trước sinh 3, Sàng lọc sơ sinh 2",
    ]
    november = _stored(world, "2026-11")
    assert november is not None and november.version == 1
    assert november.values == {"co_thai": 14, "sang_loc_truoc_sinh": 3, "sang_loc_so_sinh": 2}

    # No change (no diacritics, any case): October's values again, replacing November's.
    same = (await d.say(hoa, chat, "/BC THAISAN NHU KY TRUOC"))[0]
    assert same.splitlines() == [
        f"✅ Đã lưu báo cáo {HEAD}, tháng 11/2026 (thay bản trước, lần 2):",
        "• Giữ như tháng 10/2026: Phụ nữ có thai 12, Sàng lọc trước sinh 3, Sàng lọc sơ sinh 2",
    ]
    november = _stored(world, "2026-11")
    assert november is not None and november.version == 2
    assert november.values == {"co_thai": 12, "sang_loc_truoc_sinh": 3, "sang_loc_so_sinh": 2}

    # The rules hold on the result: 3 screenings carried over cannot exceed 2 women.
    broken = await d.say(hoa, chat, "/bc thaisan nhu ky truoc co thai 2")
    assert broken == [
        "Số liệu chưa khớp: Số sàng lọc trước sinh không thể lớn hơn số phụ nữ có thai.\n"
        "Bạn ghi: Sàng lọc trước sinh 3 > Phụ nữ có thai 2.\n"
        "Ví dụ: /baocao thaisan như kỳ trước, Phụ nữ có thai: 2, Sàng lọc trước sinh: 1"
    ]
    # Event mode: each birth is new, nothing carries over.
    event = await d.say(hoa, chat, "/bc như kỳ trước sinh 2")
    assert event == [
        "Báo cáo Biến động dân số ghi từng việc mới phát sinh, nên không chép «như kỳ trước» "
        "được («như kỳ trước» dùng cho: thaisan, tinhhinh). Hãy gõ số của lần này.\n"
        "Ví dụ: /baocao Sinh: 2"
    ]
    # A correction is not a new report: /sua says how to use each.
    fix = await d.say(hoa, chat, "/sua 2 như kỳ trước co thai 13")
    assert fix == [
        "«Như kỳ trước» dùng khi gửi báo cáo mới của kỳ này, ví dụ: /baocao thaisan như kỳ "
        "trước\nSửa báo cáo số 2: /sua 2 phụ nữ có thai 13"
    ]
    # No report for September: say so, with the whole report to type.
    none = await d.say(hoa, chat, "/bc thaisan thang 10 nhu ky truoc co thai 11")
    assert none == [
        "Chưa có báo cáo Thai sản và sàng lọc tháng 9/2026 của Thôn Sơn Ninh để chép lại. "
        "Hãy gõ đủ các mục, ví dụ:\n"
        "/baocao thaisan tháng 10/2026, Phụ nữ có thai: 11, Sàng lọc trước sinh: 1, "
        "Sàng lọc sơ sinh: 1\n"
        "Hoặc gõ /baocao thaisan để trả lời từng câu."
    ]
    # A retracted report is no report to start from.
    await d.say(hoa, chat, "/huybaocao 1")
    gone = (await d.say(hoa, chat, "/bc thaisan như kỳ trước"))[0]
    assert gone.startswith("Chưa có báo cáo Thai sản và sàng lọc tháng 10/2026 của Thôn Sơn Ninh")
    november = _stored(world, "2026-11")
    assert november is not None and november.version == 2, "nothing refused was stored"


async def test_the_form_offers_last_periods_answers_to_keep(world: World) -> None:
    hoa, chat = await _hoa(world)
    d, tg = world.driver, world.platform == "telegram"
    await d.say(hoa, chat, "/bc thaisan thang 10 co thai 12, SLTS 3")  # no newborn screening

    first = (await d.say(hoa, chat, "/baocao thaisan"))[-1]
    assert "câu 1/3: Phụ nữ có thai?\n" in first
    assert "\nKỳ trước (tháng 10/2026): 12." in first
    if tg:  # a «Giữ 12» button under the keypad
        question = _question(world, chat)
        assert [label for label, _ in question.buttons[4]] == ["Giữ 12"]
        kept = (await _press(world, hoa, chat, question, ":keep"))[-1]
    else:  # its typed twin
        assert first.endswith("\n\n👉 Gõ «g»: Giữ 12")
        kept = (await d.say(hoa, chat, "g"))[-1]
    assert "câu 2/3: Sàng lọc trước sinh?\n" in kept
    assert "\nKỳ trước (tháng 10/2026): 3." in kept

    # A new answer instead of the one offered.
    if tg:
        await _press(world, hoa, chat, _question(world, chat), ":d:4")
        newborn = (await _press(world, hoa, chat, _question(world, chat), ":ok"))[-1]
    else:
        newborn = (await d.say(hoa, chat, "4"))[-1]
    assert "câu 3/3: Sàng lọc sơ sinh?\n" in newborn
    assert "Kỳ trước" not in newborn, "October had no newborn screening to offer"
    nothing = (await d.say(hoa, chat, "giữ"))[-1]
    assert nothing.startswith(
        "Báo cáo kỳ trước không ghi mục «Sàng lọc sơ sinh», nên không có gì để giữ. "
        "Xin trả lời câu này.\n\n📝"
    )
    summary = (await d.say(hoa, chat, "1"))[-1]
    assert summary.splitlines()[:5] == [
        f"📋 Kiểm tra trước khi lưu: {HEAD}, tháng 11/2026",
        "1. Phụ nữ có thai: 12",
        "2. Sàng lọc trước sinh: 3 → 4",
        "3. Sàng lọc sơ sinh: (trống) → 1",
        "Dấu → là 2 mục khác tháng 10/2026; các mục còn lại giữ như cũ.",
    ]
    if tg:
        saved = (await _press(world, hoa, chat, _question(world, chat), ":save"))[-1]
    else:
        saved = (await d.say(hoa, chat, "lưu"))[-1]
    assert saved.splitlines() == [
        f"✅ Đã lưu báo cáo {HEAD}, tháng 11/2026:",
        "• Sàng lọc trước sinh: 3 → 4",
        "• Sàng lọc sơ sinh: (trống) → 1",
        "• Giữ như tháng 10/2026: Phụ nữ có thai 12",
    ]
    november = _stored(world, "2026-11")
    assert november is not None
    assert november.values == {"co_thai": 12, "sang_loc_truoc_sinh": 4, "sang_loc_so_sinh": 1}


async def test_an_edited_nhu_ky_truoc_message_is_carried_over_again(tg_world: World) -> None:
    """Telegram: editing the message corrects its report; the phrase still means October's."""
    hoa, chat = await _hoa(tg_world)
    d, fake = tg_world.driver, tg_world.fake
    await d.say(hoa, chat, "/bc thaisan thang 10 co thai 12, SLTS 3, SLSS 2")
    handled = tg_world.bot.handled
    sent = fake.type_as(hoa.handle, chat, "/bc thaisan như kỳ trước co thai 14")
    await eventually(lambda: tg_world.bot.handled > handled, what="the report")
    handled = tg_world.bot.handled
    fake.edit_as(hoa.handle, chat, sent["message_id"], "/bc thaisan như kỳ trước SLSS 1")
    await eventually(lambda: tg_world.bot.handled > handled, what="the edit")
    assert d.texts(chat)[-1].startswith(f"✏️ Đã sửa báo cáo {HEAD}, tháng 11/2026 (lần 2):")
    november = _stored(tg_world, "2026-11")
    assert november is not None and november.version == 2
    assert november.values == {"co_thai": 12, "sang_loc_truoc_sinh": 3, "sang_loc_so_sinh": 1}


# --- the pure parts, as tables -------------------------------------------------------------------


def _types() -> ReportTypes:
    configs = [ReportTypeConfig.model_validate(t) for t in _report_types()]
    return ReportTypes.from_config(configs, default="danso")


TYPES = _types()
THAISAN = TYPES.get("thaisan")
assert isinstance(THAISAN, ReportType)
TODAY = date(2026, 11, 23)


def _october(values: dict[str, Any]) -> Report:
    received = datetime(2026, 11, 2, tzinfo=UTC)
    return Report(f"thaisan:{SON_NINH}:2026-10", "thaisan", SON_NINH, "2026-10", values, 1,
                  "telegram", received)  # fmt: skip


@pytest.mark.parametrize(
    ("before", "changes", "after"),
    [
        ({"co_thai": 12, "sang_loc_truoc_sinh": 3}, {}, {"co_thai": 12, "sang_loc_truoc_sinh": 3}),
        ({"co_thai": 12, "sang_loc_truoc_sinh": 3}, {"co_thai": 14},
         {"co_thai": 14, "sang_loc_truoc_sinh": 3}),
        ({"co_thai": 12}, {"sang_loc_so_sinh": 1}, {"co_thai": 12, "sang_loc_so_sinh": 1}),
        # What no longer fits the type is not carried: a field gone, a value past its limits.
        ({"co_thai": 12, "kham_thai": 4}, {}, {"co_thai": 12}),
        ({"co_thai": 12, "sang_loc_so_sinh": 5000}, {}, {"co_thai": 12}),
    ],
)  # fmt: skip
def test_the_previous_values_with_the_changes_over_them(
    before: dict[str, Any], changes: dict[str, Any], after: dict[str, Any]
) -> None:
    got = start_from(THAISAN, _october(before), changes, types=TYPES, today=TODAY, period=None,
                     village=None)  # fmt: skip
    assert got == after


@pytest.mark.parametrize(
    ("before", "changes", "key", "example"),
    [
        ({"co_thai": 2, "sang_loc_truoc_sinh": 2}, {"co_thai": 1}, "report.rule",
         "/baocao thaisan như kỳ trước, Phụ nữ có thai: 2, Sàng lọc trước sinh: 1"),
        # Pregnant women was required after October was stored: asked for, in the example.
        ({"sang_loc_so_sinh": 1}, {}, "report.missing_required",
         "/baocao thaisan như kỳ trước, Phụ nữ có thai: 1"),
    ],
)  # fmt: skip
def test_the_whole_is_checked_with_the_message_to_copy(
    before: dict[str, Any], changes: dict[str, Any], key: str, example: str
) -> None:
    with pytest.raises(UserError) as refused:
        start_from(THAISAN, _october(before), changes, types=TYPES, today=TODAY, period=None,
                   village=None)  # fmt: skip
    assert (refused.value.key, refused.value.params["example"]) == (key, example)


@pytest.mark.parametrize(
    ("typed", "keeps"),
    [("g", True), ("G", True), ("giữ", True), ("giu.", True), ("Giữ nguyên", True),
     ("như cũ", True), ("keep", True), ("12", False), ("gi", False), ("bỏ qua", False)],
)  # fmt: skip
def test_what_keeps_the_previous_answer(typed: str, keeps: bool) -> None:
    assert is_keep(typed) is keeps


def test_carried_keeps_the_types_order() -> None:
    values = {"sang_loc_so_sinh": 1, "co_thai": 3}
    assert list(carried(THAISAN, values)) == ["co_thai", "sang_loc_so_sinh"]
