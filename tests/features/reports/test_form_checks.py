"""The step-by-step form never throws answers away: each answer is checked when given, a rule as
soon as every field it names has an answer, and a broken rule asks again only its fields. End to
end on Telegram (keypad) and Zalo (typed), then the form's rules as a table."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.config.loading import load_config
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.models import Role
from bot.features.reports.form import Broken, Form, Missing, new_form, read_answer
from bot.features.reports.form_text import Press
from bot.features.reports.types import FieldSpec, ReportType, ReportTypes
from tests.support.directive_seed import Member, seed_store
from tests.support.harness import Person, World, eventually, write_config

SON_NINH = "18133-01"
PLACE = "📝 Thôn Sơn Ninh, tháng 11/2026"


async def _collaborator(world: World) -> tuple[Person, Any]:
    """Chị Hoa, collaborator of Thôn Sơn Ninh (seeded), and her private chat with the bot."""
    hoa = world.driver.person("Chị Hoa")
    config = write_config(
        world.folder, admins=[], **{f"{world.platform}_url": world.fake.base_url}
    )
    seed_store(config, [Member("Chị Hoa", hoa.key, Role.COLLABORATOR, SON_NINH)], [])
    await world.bot.start()
    return hoa, world.driver.private(hoa)


def _question(world: World, chat: Any) -> Any:
    """The newest message with buttons: the question being asked (answered ones lose theirs)."""
    return [m for m in world.fake.sent(chat) if m.buttons][-1]


async def _press(world: World, person: Person, chat: Any, message: Any, suffix: str) -> list[str]:
    """Press the button of `message` whose data ends with `suffix`; the bot's new messages."""
    data = next(d for row in message.buttons for _, d in row if d.endswith(suffix))
    before, handled = len(world.fake.sent(chat)), world.bot.handled
    world.fake.press(person.handle, chat, message.message_id, data)
    await eventually(lambda: world.bot.handled > handled, what=f"the press {data}")
    return world.driver.texts(chat)[before:]


async def _answer(world: World, person: Person, chat: Any, answer: str) -> str:
    """Answer as people do: typed on Zalo; on Telegram with the question's buttons (a number
    digit by digit, then OK). The bot's last message."""
    if world.platform == "zalo":
        return (await world.driver.say(person, chat, answer))[-1]
    question = _question(world, chat)
    if answer.isdigit():
        for digit in answer:
            await _press(world, person, chat, question, f":d:{digit}")
        return (await _press(world, person, chat, question, ":ok"))[-1]
    buttons = {"bỏ qua": ":skip", "lưu": ":save", "có": ":y", "không": ":n"}
    return (await _press(world, person, chat, question, buttons[answer]))[-1]


async def test_a_broken_rule_asks_again_only_its_fields_and_the_report_keeps_all_answers(
    world: World, clock: ManualClock
) -> None:
    """The issue's scenario: 2, 1, 0 breaks "boys + girls = births" at the third answer, which
    asks again boys and girls only; births and the later answers are kept and stored."""
    hoa, chat = await _collaborator(world)
    d, tg = world.driver, world.platform == "telegram"
    first = (await d.say(hoa, chat, "/baocao"))[0]
    assert f"{PLACE} – câu 1/8: Sinh?\n" in first  # after a greeting, if first of all
    first_question = world.fake.sent(chat)[-1]

    # A wrong answer is refused at once, with the same question again.
    refused = (await d.say(hoa, chat, "hai"))[0]
    assert refused.split("\n\n")[0] == (
        "«hai» không phải là số. Mục «Sinh» cần một số từ 0 đến 999 (0 có thể ghi là «không»)."
    )
    assert refused.split("\n\n")[1].startswith(f"{PLACE} – câu 1/8: Sinh?")
    too_big = await _answer(world, hoa, chat, "1000")
    assert too_big.split("\n\n")[0] == (
        "«1000» không dùng được cho mục «Sinh»: cần một số từ 0 đến 999."
    )
    assert too_big.split("\n\n")[1].startswith(f"{PLACE} – câu 1/8: Sinh?")

    assert (await _answer(world, hoa, chat, "2")).startswith(f"{PLACE} – câu 2/8: Sinh con trai?")
    # On Telegram a typed answer works too; that question's keypad stays under it.
    boys = (await d.say(hoa, chat, "1"))[-1]
    old_question = world.fake.sent(chat)[-2]
    assert boys.startswith(f"{PLACE} – câu 3/8: Sinh con gái?")
    broken = await _answer(world, hoa, chat, "0")
    note, question = broken.split("\n\n")[:2]
    assert note == (
        "⚠️ Số liệu chưa khớp: Số sinh con trai cộng số sinh con gái phải bằng số sinh. "
        "Bạn đã ghi: Sinh 2, Sinh con trai 1, Sinh con gái 0.\n"
        "Xin trả lời lại: Sinh con trai, Sinh con gái. Các câu khác vẫn giữ."
    )
    assert question.startswith(f"{PLACE} – câu 2/8: Sinh con trai?")
    if tg:
        assert _question(world, chat).buttons[3][2][0] == "✔ OK", "the keypad keeps working"
    assert (await _answer(world, hoa, chat, "1")).startswith(f"{PLACE} – câu 3/8: Sinh con gái?")
    after = await _answer(world, hoa, chat, "1")
    assert after.startswith(f"{PLACE} – câu 4/8: Sinh con thứ 3 trở lên?")
    for _ in range(5):
        summary = await _answer(world, hoa, chat, "bỏ qua")
    assert summary.splitlines()[:9] == [
        "📋 Kiểm tra trước khi lưu: Biến động dân số – Thôn Sơn Ninh, tháng 11/2026",
        "1. Sinh: 2",
        "2. Sinh con trai: 1",
        "3. Sinh con gái: 1",
        "4. Sinh con thứ 3 trở lên: (bỏ qua)",
        "5. Chết: (bỏ qua)",
        "6. Chuyển đến: (bỏ qua)",
        "7. Chuyển đi: (bỏ qua)",
        "8. Kết hôn: (bỏ qua)",
    ]
    saved = await _answer(world, hoa, chat, "lưu")
    assert saved.splitlines() == [
        "✅ Đã lưu báo cáo Biến động dân số – Thôn Sơn Ninh, tháng 11/2026:",
        "• Sinh: 2",
        "• Sinh con trai: 1",
        "• Sinh con gái: 1",
    ]
    app = world.bot.app
    assert app is not None and app.store is not None
    person = app.store.people.by_account(hoa.key)
    assert person is not None
    stored = app.store.reports.latest_by_reporter(person.id, limit=5)
    assert [r.values for r in stored] == [{"sinh": 2, "sinh_nam": 1, "sinh_nu": 1}]

    # The form has ended: a late press or answer is told so, and nothing more is stored.
    if tg:
        await _press(world, hoa, chat, first_question, ":d:5")
        toast = world.fake.callback_answers[-1]["text"]
        assert toast == "Phiếu này đã kết thúc. Gõ /baocao để mở phiếu mới."
        pressed = next(
            m for m in world.fake.sent(chat) if m.message_id == first_question.message_id
        )
        assert pressed.buttons == (), "the ended form's keypad is taken away"
    late = (await d.say(hoa, chat, "2"))[0]
    assert late.startswith("Phiếu báo cáo đã kết thúc nên câu trả lời này không được ghi.")
    assert (await d.say(hoa, chat, "/huy")) == ["Không có thao tác nào đang dở."]
    if tg:  # a new form is open: the old form's keypad is past, the new one answers
        await d.say(hoa, chat, "/baocao")
        await _press(world, hoa, chat, old_question, ":d:3")
        assert world.fake.callback_answers[-1]["text"].startswith("Câu hỏi này đã qua.")
        await _press(world, hoa, chat, _question(world, chat), ":ok")
        assert world.fake.callback_answers[-1]["text"] == "Bấm các số trước, rồi bấm ✔ OK."
        assert (await _answer(world, hoa, chat, "3")).startswith(f"{PLACE} – câu 2/8")
        await d.say(hoa, chat, "/huy")
    assert len(app.store.reports.latest_by_reporter(person.id, limit=5)) == 1
    # The marker of the ended form runs out untold.
    clock.advance(minutes=31)
    before = len(d.texts(chat))
    assert await app.sweep_prompts() == 0
    assert len(d.texts(chat)) == before
    assert (await d.say(hoa, chat, "2"))[0].startswith("Tôi không có câu hỏi nào đang chờ")


async def test_the_summary_shows_every_answer_and_changes_one_before_saving(
    world: World,
) -> None:
    """A note with commas, a choice and a yes/no: the summary shows them, a field is changed
    from it by its number, and the report is stored exactly as answered."""
    hoa, chat = await _collaborator(world)
    d, tg = world.driver, world.platform == "telegram"
    first = (await d.say(hoa, chat, "/baocao tinhhinh"))[0]
    assert "📝 Thôn Sơn Ninh, ngày 23/11/2026 – câu 1/3: Ghi chú?\n" in first
    required = (await d.say(hoa, chat, "bỏ qua"))[0]
    assert required.startswith("«Ghi chú» là chỉ tiêu bắt buộc, không bỏ qua được.\n\n📝")
    level = (await d.say(hoa, chat, "Mưa to, ngập 2 nhà | cần xem"))[-1]
    assert "câu 2/3: Mức độ?" in level
    if tg:
        help_ = (await _press(world, hoa, chat, _question(world, chat), ":c:1"))[-1]
    else:
        assert "👉 Gõ «cần chú ý»: cần chú ý" in level
        help_ = (await d.say(hoa, chat, "can chu y"))[-1]
    assert "câu 3/3: Cần hỗ trợ?" in help_
    summary = await _answer(world, hoa, chat, "có")
    assert summary.splitlines()[:4] == [
        "📋 Kiểm tra trước khi lưu: Tình hình trong ngày – Thôn Sơn Ninh, ngày 23/11/2026",
        "1. Ghi chú: Mưa to, ngập 2 nhà | cần xem",
        "2. Mức độ: cần chú ý",
        "3. Cần hỗ trợ: có",
    ]
    if tg:
        assert [label for label, _ in _question(world, chat).buttons[0]] == ["✔ Lưu"]
        again = (await _press(world, hoa, chat, _question(world, chat), ":e:1"))[-1]
    else:
        assert summary.splitlines()[-1] == "👉 Gõ «lưu»: ✔ Lưu"
        assert (await d.say(hoa, chat, "9"))[0].startswith(
            "Chưa lưu. Gõ «lưu» để lưu, hoặc một số từ 1 đến 3 để sửa mục đó."
        )
        again = (await d.say(hoa, chat, "1"))[-1]
    assert "câu 1/3: Ghi chú?" in again
    assert "Đang ghi: Mưa to, ngập 2 nhà | cần xem." in again
    summary = (await d.say(hoa, chat, "Mưa to, ngập 3 nhà."))[-1]
    assert summary.splitlines()[1] == "1. Ghi chú: Mưa to, ngập 3 nhà."
    saved = await _answer(world, hoa, chat, "lưu")
    assert saved.startswith("✅ Đã lưu báo cáo Tình hình trong ngày – Thôn Sơn Ninh")
    app = world.bot.app
    assert app is not None and app.store is not None
    person = app.store.people.by_account(hoa.key)
    assert person is not None
    [report] = app.store.reports.latest_by_reporter(person.id, limit=5)
    assert report.values == {
        "ghi_chu": "Mưa to, ngập 3 nhà.",
        "muc_do": "cần chú ý",
        "can_ho_tro": True,
    }


# --- the form's rules, as a table ----------------------------------------------------------------

TODAY = date(2026, 11, 23)


def _types() -> ReportTypes:
    """The report types of the shipped config.yaml."""
    config = load_config(Path(__file__).resolve().parents[3] / "config.yaml", environ={})
    return ReportTypes.from_config(config.report_types, default=config.default_report_type)


TYPES = _types()
DANSO = TYPES.get("danso")
assert DANSO is not None


def _form(rt: ReportType = DANSO) -> Form:
    return Form(rt, new_form(rt.code, SON_NINH, "2026-11"))


def _fill(form: Form, answers: list[str]) -> list[Broken | None]:
    """Answer in turn ("-" skips); what each answer broke."""
    out: list[Broken | None] = []
    for answer in answers:
        if answer == "-":
            form.skip(lang="vi")
            out.append(None)
        else:
            spec = form.field
            assert spec is not None
            out.append(form.take(read_answer(spec, answer, today=TODAY, lang="vi")))
    return out


@pytest.mark.parametrize(
    ("answers", "asked", "kept"),
    [
        # The scenario: births kept, boys and girls asked again.
        (["2", "1", "0"], "sinh_nam", {"sinh": 2}),
        (["2", "1", "0", "1"], "sinh_nu", {"sinh": 2, "sinh_nam": 1}),
        (["2", "1", "0", "1", "1"], "sinh_con_thu_3", {"sinh": 2, "sinh_nam": 1, "sinh_nu": 1}),
        # Broken a second time: every field of the rule, births too.
        (["2", "1", "0", "1", "0"], "sinh", {}),
        (["2", "1", "0", "1", "0", "1"], "sinh_nam", {"sinh": 1}),
        (["2", "1", "0", "1", "0", "1", "1", "0"], "sinh_con_thu_3",
         {"sinh": 1, "sinh_nam": 1, "sinh_nu": 0}),
        # A rule applies only when every field it names has an answer.
        (["2", "-", "0"], "sinh_con_thu_3", {"sinh": 2, "sinh_nu": 0}),
        (["-", "1", "0", "5"], "chet", {"sinh_nam": 1, "sinh_nu": 0, "sinh_con_thu_3": 5}),
        # Third births above births: only the third births asked again, the rest kept.
        (["2", "1", "1", "3"], "sinh_con_thu_3", {"sinh": 2, "sinh_nam": 1, "sinh_nu": 1}),
        (["2", "1", "1", "3", "1", "4"], "chuyen_den",
         {"sinh": 2, "sinh_nam": 1, "sinh_nu": 1, "sinh_con_thu_3": 1, "chet": 4}),
        (["0", "0", "0", "0", "0", "0", "0", "0"], None,
         {f.code: 0 for f in DANSO.fields}),
    ],
)  # fmt: skip
def test_rules_are_checked_as_soon_as_they_apply(
    answers: list[str], asked: str | None, kept: dict[str, int]
) -> None:
    form = _form()
    _fill(form, answers)
    assert (form.field.code if form.field else None) == asked
    assert form.answers == kept


def test_a_broken_rule_says_what_was_given_and_what_is_asked_again() -> None:
    form = _form()
    *_, broken = _fill(form, ["3", "1", "1"])
    assert broken is not None
    assert broken.rule.text == "sinh_nam + sinh_nu = sinh"
    assert [(f.code, v) for f, v in broken.given] == [("sinh", 3), ("sinh_nam", 1), ("sinh_nu", 1)]
    assert [f.code for f in broken.again] == ["sinh_nam", "sinh_nu"]
    assert not form.ready()


def test_the_summary_reopens_one_field_and_a_restarted_form_goes_on() -> None:
    form = _form()
    _fill(form, ["2", "1", "1", "-", "-", "-", "-", "1"])
    assert form.field is None and form.ready()
    form.reopen(8)
    assert form.field is not None and form.field.code == "ket_hon"
    assert form.answers["ket_hon"] == 1, "kept until replaced"
    form.skip(lang="vi")
    assert form.field is None and "ket_hon" not in form.answers
    with pytest.raises(UserError) as refused:
        form.reopen(9)
    assert (refused.value.key, refused.value.params) == (
        "report.form_summary_unknown",
        {"value": 9, "max": 8},
    )
    # A form kept by the previous version (no id, step or queue) goes on where it was.
    old = Form(DANSO, {"type": "danso", "village": SON_NINH, "period": "2026-11", "index": 2,
                       "answers": {"sinh": 2, "sinh_nam": 1}})  # fmt: skip
    assert old.field is not None and old.field.code == "sinh_nu"
    assert old.take(0) is not None and old.field.code == "sinh_nam"
    assert not Press.read("form:42:d:1").stale(old), "an old keypad answers the current form"


def test_a_field_made_required_meanwhile_is_asked_before_saving() -> None:
    fields = (FieldSpec("a", "A", "A"), FieldSpec("b", "B", "B", required=True))
    rt = ReportType("t", "T", "T", fields)
    form = Form(rt, {**new_form("t", SON_NINH, "2026-11"), "index": 2, "answers": {"a": 1}})
    problem = form.problem()
    assert isinstance(problem, Missing) and [f.code for f in problem.fields] == ["b"]
    assert form.field is not None and form.field.code == "b"
    with pytest.raises(UserError):
        form.skip(lang="vi")


NUMBER = DANSO.fields[0]
MARRIAGES = DANSO.field("ket_hon")
TINHHINH = TYPES.get("tinhhinh")
assert TINHHINH is not None
NOTE, LEVEL, HELP = TINHHINH.fields


@pytest.mark.parametrize(
    ("spec", "text", "value"),
    [
        (NUMBER, "2", 2), (NUMBER, " 12 ", 12), (NUMBER, "2.", 2), (NUMBER, "3,", 3),
        (NUMBER, "0", 0), (NUMBER, "không", 0), (NUMBER, "ko", 0), (NUMBER, "999", 999),
        (NUMBER, "2 ca", 2), (NUMBER, "1 trẻ.", 1), (NUMBER, "3 Người", 3),
        (MARRIAGES, "1 cặp", 1), (MARRIAGES, "2 đôi.", 2),
        (LEVEL, "Khẩn cấp", "khẩn cấp"), (LEVEL, "can chu y", "cần chú ý"),
        (HELP, "co", True), (HELP, "Không", False), (HELP, "yes", True),
        (NOTE, "  Mưa to, ngập | 2 nhà ", "Mưa to, ngập | 2 nhà"),
    ],
)  # fmt: skip
def test_answers_read(spec: FieldSpec, text: str, value: object) -> None:
    assert read_answer(spec, text, today=TODAY, lang="vi") == value


@pytest.mark.parametrize(
    ("spec", "text", "key", "params"),
    [
        (NUMBER, "hai", "report.form_not_number",
         {"value": "hai", "field": "Sinh", "min": 0, "max": 999}),
        (NUMBER, "2 3", "report.form_not_number",
         {"value": "2 3", "field": "Sinh", "min": 0, "max": 999}),
        (NUMBER, "1 cặp", "report.form_not_number",
         {"value": "1 cặp", "field": "Sinh", "min": 0, "max": 999}),
        (MARRIAGES, "2 người", "report.form_not_number",
         {"value": "2 người", "field": "Kết hôn", "min": 0, "max": 999}),
        (NUMBER, "-1", "report.form_not_number",
         {"value": "-1", "field": "Sinh", "min": 0, "max": 999}),
        (NUMBER, "1000", "report.form_out_of_range",
         {"value": "1000", "field": "Sinh", "min": 0, "max": 999}),
        (LEVEL, "gấp", "report.form_bad_choice",
         {"value": "gấp", "field": "Mức độ", "allowed": "bình thường, cần chú ý, khẩn cấp"}),
        (HELP, "chắc vậy", "report.form_bad_choice",
         {"value": "chắc vậy", "field": "Cần hỗ trợ", "allowed": "có, không"}),
        (NOTE, "x" * 501, "report.form_too_long", {"field": "Ghi chú", "max": 500, "n": 501}),
    ],
)  # fmt: skip
def test_wrong_answers_say_why(spec: FieldSpec, text: str, key: str, params: object) -> None:
    with pytest.raises(UserError) as refused:
        read_answer(spec, text, today=TODAY, lang="vi")
    assert (refused.value.key, refused.value.params) == (key, params)


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("form:42#a1b2.3:d:7", Press("42", "a1b2", 3, "d:7")),
        ("form:42#a1b2.12:c:1", Press("42", "a1b2", 12, "c:1")),
        ("form:42#a1b2.3:save", Press("42", "a1b2", 3, "save")),
        ("form:42:d:7", Press("42", "", -1, "d:7")),  # a keypad sent before forms had an id
        ("form:42:bỏ qua", Press("42", "", -1, "bỏ qua")),
    ],
)
def test_keypad_data(data: str, press: Press) -> None:
    assert Press.read(data) == press
    form = _form()
    form.step = 3
    form.id = "a1b2"
    assert press.stale(form) is (press.form != "" and press.step != 3)
