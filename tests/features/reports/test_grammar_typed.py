"""Reports typed the way people type (issue #17, section 3), table-driven: a full stop after a
number, a unit word that fits the field, polite words, the command glued to punctuation. Each
is read right, or refused whole with the message to copy; no misread. (The hint, the village
and the chats: test_typed_reports.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from bot.config.loading import load_config
from bot.config.reports import ReportTypeConfig
from bot.core.errors import UserError
from bot.core.text import fold
from bot.features.reports.grammar.parse import ParsedReport, parse_report
from bot.features.reports.grammar.tokens import strip_command
from bot.features.reports.grammar.values import render
from bot.features.reports.types import ReportTypes
from tests.features.reports.test_grammar import EXTRA, ROOT, ROWS, TODAY, Err, Ok, err

# A type whose fields declare their own units, and one that takes none.
VACCINES = {
    "code": "tiemchung",
    "name": "Tiêm chủng",
    "fields": [
        {"code": "so_mui", "name": "Số mũi", "units": ["mũi", "liều"]},
        {"code": "so_lo", "name": "Số lô", "units": []},
    ],
}


def _types() -> ReportTypes:
    config = load_config(ROOT / "config.yaml", environ={})
    extra = [ReportTypeConfig.model_validate(e) for e in (*EXTRA, VACCINES)]
    return ReportTypes.from_config([*config.report_types, *extra], default="danso")


TYPES = _types()
DANSO_UNITS = "ca, trẻ, cháu, người"
RULE_SUM = (
    "Số sinh con trai cộng số sinh con gái phải bằng số sinh.",
    "sinh_nam + sinh_nu = sinh",
)
RULE_THIRD = ("Số sinh con thứ 3 trở lên không thể lớn hơn số sinh.", "sinh_con_thu_3 <= sinh")
MONTH_FORMS = "thang 10, t10, 10/2026"
TWO = Ok({"sinh": 2, "chet": 1})
THREE = Ok({"sinh": 2, "chet": 1, "chuyen_den": 3})

# fmt: off
TYPED: list[tuple[str, str, Ok | Err]] = [
    # A full stop, comma, ellipsis or "!" right after a number ends the pair.
    ("stop-after-last", "/bc Sinh 2, chet 1.", TWO),
    ("stops-between", "/bc Sinh 2. Chết 1.", TWO),
    ("stop-own-line", "/bc\nSinh: 1.", Ok({"sinh": 1})),
    ("stop-glued-to-word", "/bc sinh 2.Chết 1", TWO),
    ("stops-on-lines", "/bc\nSinh: 2.\nChết: 1.\nChuyển đến: 3.", THREE),
    ("comma-after-last", "/bc sinh 2, chet 1,", TWO),
    ("ellipsis", "/bc sinh 2...", Ok({"sinh": 2})),
    ("unicode-ellipsis", "/bc sinh 2…", Ok({"sinh": 2})),
    ("exclamation", "/bc sinh 2, chết 1!", TWO),
    ("stop-after-zero-word", "/bc sinh không.", Ok({"sinh": 0})),
    ("stop-after-period", "/bc thang 10. sinh 1.", Ok({"sinh": 1}, period="2026-10")),
    ("stop-after-day", "/bc ngay 20/11. sinh 1",
     Ok({"sinh": 1}, period="2026-11", event_date=date(2026, 11, 20))),
    ("stop-after-village", "/bc thon Trung Lương 1. sinh 2",
     Ok({"sinh": 2}, village="Trung Lương 1")),
    ("stop-after-flag", "/bc tinhhinh ghi chu: ổn, can ho tro: có.",
     Ok({"ghi_chu": "ổn", "can_ho_tro": True}, type="tinhhinh")),
    ("stop-after-choice", "/bc tinhhinh ghi chu: ổn, muc do: khẩn cấp.",
     Ok({"ghi_chu": "ổn", "muc_do": "khẩn cấp"}, type="tinhhinh")),
    ("stop-after-date", "/bc khamthai lan kham 1, ngay du sinh: 15/03/2027.",
     Ok({"lan_kham": 1, "ngay_du_sinh": date(2027, 3, 15)}, type="khamthai")),
    ("stop-in-text-kept", "/bc tinhhinh ghi chu: mưa lớn. Đường ngập.",
     Ok({"ghi_chu": "mưa lớn. Đường ngập."}, type="tinhhinh")),
    ("decimal-still-refused", "/bc sinh 2.5.",
     err("report.bad_value", field="Sinh", value="2.5", min=0, max=999,
         example="/baocao Sinh: 1")),
    ("thousands-refused", "/bc sinh 1.000",
     err("report.bad_value", field="Sinh", value="1.000", min=0, max=999,
         example="/baocao Sinh: 1")),
    # A unit word after a number, when it fits the field.
    ("unit-ca", "/bc sinh 2 ca", Ok({"sinh": 2})),
    ("unit-tre", "/bc sinh 1 trẻ", Ok({"sinh": 1})),
    ("unit-nguoi", "/bc chet 3 người", Ok({"chet": 3})),
    ("unit-chau", "/bc sinh 2 cháu", Ok({"sinh": 2})),
    ("unit-cap-marriage", "/bc ket hon 1 cặp", Ok({"ket_hon": 1})),
    ("unit-doi-alias", "/bc cưới 2 đôi", Ok({"ket_hon": 2})),
    ("units-no-marks", "/bc sinh 2 tre, chet 1 nguoi", TWO),
    ("units-upper", "/bc SINH 2 CA, CHẾT 1 NGƯỜI", TWO),
    ("units-one-segment", "/bc sinh 2 ca chet 1 ca", TWO),
    ("unit-then-stop", "/bc sinh 2 ca. chet 1 người.", TWO),
    ("units-after-colons", "/bc Sinh: 2 trẻ, Chết: 1 người, Chuyển đến: 3 người", THREE),
    ("units-other-type", "/bc kehoach dat vong 2 ca, thuoc uong 3 người",
     Ok({"dat_vong": 2, "thuoc_uong": 3}, type="kehoach")),
    ("unit-period-mode", "/bc thaisan co thai 5 người", Ok({"co_thai": 5}, type="thaisan")),
    ("unit-before-period", "/bc sinh 2 ca thang 10", Ok({"sinh": 2}, period="2026-10")),
    ("unit-then-village", "/bc sinh 1 trẻ thon Đông 2", Ok({"sinh": 1}, village="Đông 2")),
    ("own-units", "/bc tiemchung so mui 3 mũi, so lo 2", Ok({"so_mui": 3, "so_lo": 2},
                                                            type="tiemchung")),
    ("own-units-second", "/bc tiemchung so mui 3 liều", Ok({"so_mui": 3}, type="tiemchung")),
    # A unit that does not fit leaves the count in doubt: refused, shown in the field's unit.
    ("cap-for-births", "/bc sinh 1 cặp",
     err("report.bad_unit", field="Sinh", unit="cặp", units=DANSO_UNITS,
         example="/baocao Sinh: 1 ca")),
    ("people-for-marriages", "/bc ket hon 2 người",
     err("report.bad_unit", field="Kết hôn", unit="người", units="cặp, đôi, đám",
         example="/baocao Kết hôn: 1 cặp")),
    ("cap-keeps-the-rest", "/bc sinh 2, chet 1 cap",
     err("report.bad_unit", field="Chết", unit="cap", units=DANSO_UNITS,
         example="/baocao Sinh: 2, Chết: 1 ca")),
    ("default-unit-for-own", "/bc tiemchung so mui 2 ca",
     err("report.bad_unit", field="Số mũi", unit="ca", units="mũi, liều",
         example="/baocao tiemchung Số mũi: 1 mũi")),
    ("no-units-at-all", "/bc tiemchung so lo 2 ca",
     err("report.no_unit", field="Số lô", unit="ca", example="/baocao tiemchung Số lô: 1")),
    ("unit-without-number", "/bc sinh ca",
     err("report.field_without_value", field="Sinh", example="/baocao Sinh: 1")),
    ("unknown-unit", "/bc sinh 2 bé",
     err("report.unknown_word", word="bé", after="sinh 2", example="/baocao Sinh: 2")),
    ("unknown-after-unit", "/bc sinh 2 ca xyz, chet 1",
     err("report.unknown_word", word="xyz", after="sinh 2 ca",
         example="/baocao Sinh: 2, Chết: 1")),
    # Polite words around the report.
    ("polite-before", "/bc Em báo cáo ạ sinh 1", Ok({"sinh": 1})),
    ("polite-da", "/bc dạ sinh 1", Ok({"sinh": 1})),
    ("polite-a-end", "/bc sinh 1 ạ", Ok({"sinh": 1})),
    ("polite-lines", "/bc Dạ, em báo cáo:\nSinh 2.\nChết 1.\nEm cảm ơn ạ!", TWO),
    ("polite-no-marks", "/bc em bao cao sinh 2 chet 1 a", TWO),
    ("polite-then-type", "/bc Em báo cáo kế hoạch: đặt vòng 1 ạ",
     Ok({"dat_vong": 1}, type="kehoach")),
    ("polite-after-type", "/bc kehoach em bao cao dat vong 1", Ok({"dat_vong": 1},
                                                                   type="kehoach")),
    ("polite-then-period", "/bc em xin báo cáo tháng 10: sinh 1",
     Ok({"sinh": 1}, period="2026-10")),
    ("polite-thanks", "/bc sinh 1, cảm ơn", Ok({"sinh": 1})),
    ("polite-vang", "/bc Vâng, sinh 1", Ok({"sinh": 1})),
    # The village's own text keeps them: the service tries "Cây Đa" whole before "Sơn Ninh".
    ("polite-after-village", "/bc thon Sơn Ninh ạ, sinh 1",
     Ok({"sinh": 1}, village="Sơn Ninh ạ")),
    ("polite-ends-village", "/bc thon Xuân Hội ạ sinh 1", Ok({"sinh": 1}, village="Xuân Hội ạ")),
    ("village-keeps-da", "/bc thon Đa Phúc sinh 1", Ok({"sinh": 1}, village="Đa Phúc")),
    ("polite-without-command", "Dạ em báo cáo sinh 2 ạ", Ok({"sinh": 2})),
    ("polite-only-opens-form", "/bc dạ", Ok({})),
    ("condoms-are-a-field", "/bc kehoach bao cao su 2", Ok({"bao_cao_su": 2}, type="kehoach")),
    ("condoms-of-other-type", "/bc bao cao su 2",
     err("report.other_type", field="Bao cao su", type="kehoach",
         example="/baocao kehoach Bao cao su: 2")),
    ("polite-is-no-value", "/bc sinh ạ",
     err("report.field_without_value", field="Sinh", example="/baocao Sinh: 1")),
    # The command glued to punctuation.
    ("glued-colon", "/bc: sinh 1", Ok({"sinh": 1})),
    ("glued-comma", "/bc,sinh 1,chet 0", Ok({"sinh": 1, "chet": 0})),
    ("glued-stop", "/bc. sinh 1", Ok({"sinh": 1})),
    ("glued-semicolon", "/bc;sinh 1", Ok({"sinh": 1})),
    ("glued-mention", "/bc@DansoBot: sinh 2", Ok({"sinh": 2})),
    ("glued-type", "/baocao:kehoach dat vong 1", Ok({"dat_vong": 1}, type="kehoach")),
    ("glued-then-polite", "/bc: Dạ, em báo cáo kehoach: vong 1",
     Ok({"dat_vong": 1}, type="kehoach")),
    # Anything else unknown still refuses the whole message, with the message to copy.
    ("unknown-word-at-end", "/bc sinh 2 chet 1 rồi",
     err("report.unknown_word", word="rồi", after="chet 1",
         example="/baocao Sinh: 2, Chết: 1")),
    ("unknown-words-between", "/bc sinh 2 gì đó, chet 1",
     err("report.unknown_word", word="gì đó", after="sinh 2",
         example="/baocao Sinh: 2, Chết: 1")),
    ("misspelt-field-kept", "/bc sinh 2 kethon 1 cặp",
     err("report.unknown_field", field="kethon", type="Biến động dân số",
         suggestions="Kết hôn", example="/baocao Sinh: 2, Kết hôn: 1")),
    ("number-word-shown-in-digits", "/bc sinh hai, chet 1",
     err("report.bad_value", field="Sinh", value="hai", min=0, max=999,
         example="/baocao Sinh: 2, Chết: 1")),
    ("misspelt-type-shown-right", "/bc kehoahc dat vong 1 ca",
     err("report.unknown_type", name="kehoahc", suggestions="kehoach",
         example="/baocao kehoach Đặt vòng: 1")),
    # A rule error states the rule with the numbers given; its example keeps the rule.
    ("rule-sum-numbers", "/bc sinh 3 ca, con trai 1, con gái 1",
     err("report.rule", message=RULE_SUM[0], rule=RULE_SUM[1],
         numbers="Sinh con trai 1 + Sinh con gái 1 = 2 ≠ Sinh 3",
         example="/baocao Sinh: 2, Sinh con trai: 1, Sinh con gái: 1")),
    ("rule-third-numbers", "/bc sinh 1 ca, sinh con thu 3 2 ca.",
     err("report.rule", message=RULE_THIRD[0], rule=RULE_THIRD[1],
         numbers="Sinh con thứ 3 trở lên 2 > Sinh 1",
         example="/baocao Sinh: 2, Sinh con thứ 3 trở lên: 1")),
    # A period error shows a period form, in the person's own message.
    ("period-error-shows-a-period", "/bc tuan 45, sinh 2 ca.",
     err("report.bad_period", period="tuan 45", forms=MONTH_FORMS,
         example="/baocao tháng 11/2026, Sinh: 2")),
    ("future-period-shows-a-period", "/bc 12/2026 sinh 1 ạ",
     err("report.future_period", period="12/2026", forms=MONTH_FORMS,
         example="/baocao tháng 11/2026, Sinh: 1")),
]
# fmt: on


def test_section_3_adds_sixty_rows() -> None:
    """The issue asks for at least 60 new rows; ids name rows in failures, so none repeats."""
    ids = [row[0] for row in TYPED]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in TYPED], ids=[r[0] for r in TYPED])
def test_typed_message(text: str, expected: Ok | Err) -> None:
    """Stored as the row says, exactly; or refused with the key, parameters and the message
    to copy (given in the row, or at least one that reads back)."""
    if isinstance(expected, Ok):
        assert parse_report(text, types=TYPES, today=TODAY) == ParsedReport(
            type=expected.type,
            values=expected.values,
            period=expected.period,
            village=expected.village,
            event_date=expected.event_date,
        )
        return
    with pytest.raises(UserError) as caught:
        parse_report(text, types=TYPES, today=TODAY)
    params = dict(caught.value.params)
    if "example" not in expected.params:
        params.pop("example")
    assert (caught.value.key, params) == (expected.key, expected.params)


ALL_ROWS = [*ROWS, *TYPED]


@pytest.mark.parametrize(
    "text", [r[1] for r in ALL_ROWS if isinstance(r[2], Ok) and r[2].values], ids=str
)
def test_a_report_written_back_reads_the_same(text: str) -> None:
    """What a corrected message or a hint shows reads back to exactly what was read."""
    parsed = parse_report(text, types=TYPES, today=TODAY)
    rt = TYPES.get(parsed.type)
    assert rt is not None
    shown = render(
        rt, parsed.values, types=TYPES, period=parsed.period, village=parsed.village,
        event_date=parsed.event_date, previous=parsed.previous,
    )  # fmt: skip
    assert parse_report(shown, types=TYPES, today=TODAY) == parsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [r[1:] for r in ALL_ROWS if isinstance(r[2], Err)],
    ids=[r[0] for r in ALL_ROWS if isinstance(r[2], Err)],
)
def test_every_example_fits_its_error(text: str, expected: Err) -> None:
    """The example reads back, as the type the person wrote (a field of another type: that
    type), with a period when the error is about one, and keeping the rule a rule error
    names; so it never shows a field of another type."""
    with pytest.raises(UserError) as caught:
        parse_report(text, types=TYPES, today=TODAY)
    shown = parse_report(caught.value.params["example"], types=TYPES, today=TODAY)
    assert shown.values
    named = TYPES.type_index.match(fold(strip_command(text)).replace(":", " ").split())
    meant = caught.value.params.get("type") if expected.key == "report.other_type" else None
    if expected.key == "report.unknown_type":
        meant = caught.value.params["suggestions"].split(", ")[0]
    assert shown.type == (meant or (named[0].code if named else "danso"))
    if expected.key in ("report.bad_period", "report.future_period"):
        assert shown.period is not None
    if expected.key == "report.rule":
        rt = TYPES.get(shown.type)
        assert rt is not None
        rule = next(r for r in rt.rules if r.text == caught.value.params["rule"])
        assert rule.applies(shown.values) and rule.holds(shown.values)
