"""The `report_types` section: check-config finds each schema problem at its key path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.check_config import check_config
from bot.config.loading import ConfigError, Problem, load_config
from bot.config.reports_check import RESERVED_WORDS
from bot.core.periods import RESERVED_WORDS as PERIOD_WORDS
from bot.features.reports.grammar.tokens import VILLAGE_WORDS, ZERO_WORDS
from bot.features.reports.types import ReportTypes

ROOT = Path(__file__).resolve().parents[2]
AREAS = {"areas": {"code": "42", "name": "Tỉnh Hà Tĩnh", "kind": "province"}}
BASE: dict[str, Any] = {
    "default_report_type": "danso",
    "report_types": [
        {
            "code": "danso",
            "name": {"vi": "Biến động dân số", "en": "Population changes"},
            "aliases": ["dân số"],
            "fields": [
                {"code": "sinh", "name": {"vi": "Sinh", "en": "Births"}},
                {"code": "sinh_nam", "name": "Sinh con trai"},
                {"code": "chet", "name": "Chết", "aliases": ["tử vong"]},
            ],
            "rules": [{"check": "sinh_nam <= sinh", "message": "Con trai không quá số sinh."}],
        },
        {
            "code": "tinhhinh",
            "name": "Tình hình",
            "mode": "period",
            "period": "day",
            "fields": [{"code": "ghi_chu", "name": "Ghi chú", "type": "text", "required": True}],
        },
    ],
}


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({**AREAS, **data}, allow_unicode=True), encoding="utf-8")
    return path


def problems_after(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[Problem]:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data), environ={})
    return caught.value.problems


def t0(data: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = data["report_types"][0]
    return first


def f(data: dict[str, Any], index: int) -> dict[str, Any]:
    field: dict[str, Any] = t0(data)["fields"][index]
    return field


def _second_type(data: dict[str, Any]) -> None:
    data["report_types"][1]["code"] = "danso"


def _no_default(data: dict[str, Any]) -> None:
    del data["default_report_type"]


def _rule_on_text(data: dict[str, Any]) -> None:
    t0(data)["fields"].append({"code": "note", "name": "Ghi", "type": "text"})
    t0(data)["rules"][0].update(check="note = sinh")


def _no_types(data: dict[str, Any]) -> None:
    data["report_types"] = []


F0, F1, F2 = "report_types[0].fields[0]", "report_types[0].fields[1]", "report_types[0].fields[2]"
# (case id, change to BASE, expected key path, a word of the message)
# fmt: off
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("dup-type-code", _second_type, "report_types[1].code", "duplicate type code"),
    ("dup-field-code", lambda d: f(d, 1).update(code="sinh"), f"{F1}.code", "duplicate field"),
    ("folded-clash", lambda d: f(d, 2).update(aliases=["SINH"]), f"{F2}.aliases[0]",
     "also a name of field 'sinh'"),
    ("english-clash", lambda d: f(d, 1).update(name={"vi": "Sinh trai", "en": "sinh"}),
     f"{F1}.name.en", "'sinh'"),
    ("min-over-max", lambda d: f(d, 0).update(min=5, max=3), f"{F0}.min", "more than max"),
    ("negative-min", lambda d: f(d, 0).update(min=-1), f"{F0}.min", "at least 0"),
    ("min-on-text", lambda d: d["report_types"][1]["fields"][0].update(min=1),
     "report_types[1].fields[0].min", "number fields only"),
    ("choice-no-options", lambda d: f(d, 0).update(type="choice"), f"{F0}.options",
     "at least two"),
    ("options-on-number", lambda d: f(d, 0).update(options=["a", "b"]), f"{F0}.options",
     "only choice"),
    ("dup-option", lambda d: f(d, 0).update(type="choice", options=["Cao", "cao"]),
     f"{F0}.options[1]", "repeats"),
    ("bad-field-type", lambda d: f(d, 0).update(type="integer"), f"{F0}.type", "'number'"),
    ("field-key-typo", lambda d: f(d, 0).update(requird=True), f"{F0}.requird", "'required'"),
    ("field-code-shape", lambda d: f(d, 0).update(code="Sinh-1"), f"{F0}.code", "a-z"),
    ("type-code-shape", lambda d: t0(d).update(code="Dân số"), "report_types[0].code", "a-z"),
    ("no-fields", lambda d: t0(d).update(fields=[]), "report_types[0].fields", "at least 1"),
    ("name-missing", lambda d: f(d, 0).pop("name"), f"{F0}.name", "required"),
    ("bad-mode", lambda d: t0(d).update(mode="sum"), "report_types[0].mode", "'event'"),
    ("bad-period", lambda d: t0(d).update(period="year"), "report_types[0].period", "'month'"),
    ("negative-deadline", lambda d: t0(d).update(deadline_days=-1),
     "report_types[0].deadline_days", "at least 0"),
    ("rule-syntax", lambda d: t0(d)["rules"][0].update(check="sinh_nam sinh"),
     "report_types[0].rules[0].check", "is not a check"),
    ("rule-unknown-field", lambda d: t0(d)["rules"][0].update(check="sinh_nu <= sinh"),
     "report_types[0].rules[0].check", "'sinh_nu' is not a field"),
    ("rule-on-text", _rule_on_text, "report_types[0].rules[0].check", "not a number field"),
    ("rule-no-message", lambda d: t0(d)["rules"][0].pop("message"),
     "report_types[0].rules[0].message", "required"),
    ("reserved-name", lambda d: f(d, 0).update(aliases=["Thôn"]), f"{F0}.aliases[0]",
     "word of the report grammar"),
    ("separator-in-name", lambda d: f(d, 0).update(aliases=["sinh, đẻ"]), f"{F0}.aliases[0]",
     "separate fields"),
    ("digits-name", lambda d: f(d, 0).update(aliases=["12"]), f"{F0}.aliases[0]", "only digits"),
    ("period-like-name", lambda d: f(d, 0).update(aliases=["t10 sinh"]), f"{F0}.aliases[0]",
     "like a period"),
    ("type-is-field-name", lambda d: d["report_types"][1].update(aliases=["tử vong"]),
     "report_types[1].aliases[0]", "also a field name"),
    ("type-names-clash", lambda d: d["report_types"][1].update(aliases=["Dan so"]),
     "report_types[1].aliases[0]", "also a name of report_types[0]"),
    ("unknown-default", lambda d: d.update(default_report_type="kehoach"), "default_report_type",
     "no report type has the code 'kehoach'"),
    ("no-default", _no_default, "default_report_type", "danso, tinhhinh"),
    ("default-without-types", _no_types, "default_report_type", "no report_types"),
]
# fmt: on


@pytest.mark.parametrize(
    ("change", "path", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_report_problem_names_its_key_path(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], path: str, word: str
) -> None:
    """Each schema mistake in report_types is reported at its key path, saying what is valid."""
    problems = problems_after(tmp_path, change)
    matching = [p for p in problems if p.path == path]
    assert matching, f"no problem at {path}: {problems}"
    assert any(word in p.message for p in matching), matching


def test_a_broken_field_hides_no_other_problem(tmp_path: Path) -> None:
    """A typo in one field still lets check-config report a duplicate type and a bad rule."""

    def change(data: dict[str, Any]) -> None:
        f(data, 0).update(type="integer")
        t0(data)["rules"][0].update(check="x <= sinh")
        _second_type(data)

    paths = {p.path for p in problems_after(tmp_path, change)}
    assert {
        f"{F0}.type",
        "report_types[0].rules[0].check",
        "report_types[1].code",
    } <= paths


def test_check_config_prints_report_problems(tmp_path: Path) -> None:
    """check-config exits 1 and lists the report problem with its path."""
    data = copy.deepcopy(BASE)
    f(data, 0).update(min=5, max=3)
    code, text = check_config(str(write(tmp_path, data)), environ={})
    assert code == 1
    assert f"- {F0}.min: min 5 is more than max 3" in text


def test_a_valid_section_loads_and_converts(tmp_path: Path) -> None:
    """A valid section loads; its services view has bounds, English fallbacks and rules."""
    config = load_config(write(tmp_path, BASE), environ={})
    types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
    danso = types.default
    assert [t.code for t in types] == ["danso", "tinhhinh"]
    births, boys = danso.field("sinh"), danso.field("sinh_nam")
    assert (births.min, births.max, births.name_en) == (0, 999, "Births")
    assert boys.name_en == "Sinh con trai"  # no English name: the Vietnamese one
    rule = danso.rules[0]
    assert rule.fields() == ("sinh_nam", "sinh")
    assert rule.holds({"sinh": 2, "sinh_nam": 1}) and not rule.holds({"sinh": 1, "sinh_nam": 2})
    assert rule.holds({"sinh_nam": 9})  # applies only when every field it names is given
    assert types.by_name("DÂN SỐ") is danso and types.by_name("tinh hinh") is types.get("tinhhinh")
    assert types.by_name("khac") is None


def test_one_type_needs_no_default(tmp_path: Path) -> None:
    """With a single type, default_report_type may be left out."""
    data = copy.deepcopy(BASE)
    del data["default_report_type"]
    data["report_types"] = data["report_types"][:1]
    config = load_config(write(tmp_path, data), environ={})
    assert ReportTypes.from_config(config.report_types).default.code == "danso"


def test_configs_without_reports_still_load(tmp_path: Path) -> None:
    """report_types is optional: a config without it loads with no types."""
    config = load_config(write(tmp_path, {}), environ={})
    assert config.report_types == () and config.default_report_type is None


def test_shipped_default_set() -> None:
    """The shipped config has the A0-book set: population, family planning, pregnancy, daily."""
    config = load_config(ROOT / "config.yaml", environ={})
    types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
    assert [t.code for t in types] == ["danso", "kehoach", "thaisan", "tinhhinh"]
    assert types.default.code == "danso" and types.default.mode == "event"
    assert {f.code for f in types.get("kehoach").fields} == {  # type: ignore[union-attr]
        "dat_vong", "thuoc_uong", "bao_cao_su", "thuoc_tiem", "que_cay", "triet_san",
    }  # fmt: skip
    assert [r.text for r in types.default.rules] == [
        "sinh_nam + sinh_nu = sinh",
        "sinh_con_thu_3 <= sinh",
    ]
    daily = types.get("tinhhinh")
    assert daily is not None and daily.period == "day" and daily.field("ghi_chu").kind == "text"


def test_reserved_words_match_the_grammar() -> None:
    """The names config refuses are exactly the words the grammar reads itself."""
    assert RESERVED_WORDS == PERIOD_WORDS | set(VILLAGE_WORDS) | ZERO_WORDS
