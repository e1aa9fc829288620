"""The review's small readings, table-driven: the correction line a returned report's notice
offers (the fields the reason names, with their real values), and the words that accept a
report as it was instead of giving a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config.loading import load_config
from bot.core.models import Report
from bot.features.reports.types import ReportTypes
from bot.features.review.text import fix_line
from bot.features.review.words import is_acceptance
from tests.support.harness import write_config


@pytest.fixture(scope="module")
def types(tmp_path_factory: pytest.TempPathFactory) -> ReportTypes:
    """The report types of the shipped config."""
    folder = tmp_path_factory.mktemp("config")
    config = load_config(write_config(folder, admins=["telegram:1"]), environ={})
    return ReportTypes.from_config(config.report_types, default=config.default_report_type)


def _report(type_: str, values: dict[str, object]) -> Report:
    return Report(f"{type_}:x", type_, "18133-01", "2026-11", values, 3, "zalo",
                  datetime(2026, 11, 23, 1, tzinfo=UTC), number=12)  # fmt: skip


@pytest.mark.parametrize(
    ("type_", "values", "reason", "line"),
    [
        ("danso", {"sinh": 2, "chet": 1}, "Số chết chưa khớp sổ", "/sua 12 chết 1"),
        ("danso", {"sinh": 2, "chet": 1}, "so chet sai, sinh cung sai", "/sua 12 sinh 2, chết 1"),
        ("danso", {"sinh": 2, "chet": 1}, "Kiểm tra lại giúp em", "/sua 12 sinh 2, chết 1"),
        # "đến" and "đi" are fields' aliases but common words: a reason's prose is no field.
        ("danso", {"sinh": 2, "chuyen_den": 3}, "Đi kiểm tra lại đến cuối tháng",
         "/sua 12 sinh 2, chuyển đến 3"),
        ("danso", {"sinh": 2, "chuyen_den": 3}, "Số chuyển đến nhiều quá", "/sua 12 chuyển đến 3"),
        # A field the report does not give is not offered.
        ("danso", {"sinh": 2}, "Thiếu số chết", "/sua 12 sinh 2"),
        ("danso", {"sinh": 1, "ngay": "2026-11-20"}, "Sai", "/sua 12 sinh 1"),
        ("kehoach", {"thuoc_uong": 1, "dat_vong": 2}, "Thuốc uống ghi nhầm",
         "/sua 12 thuốc uống 1"),
    ],
)  # fmt: skip
def test_the_correction_line_offers_the_fields_the_reason_names(
    types: ReportTypes, type_: str, values: dict[str, object], reason: str, line: str
) -> None:
    """The line to send names the report's number and its real fields and values."""
    rt = types.get(type_)
    assert rt is not None
    assert fix_line(_report(type_, values), rt, types, reason) == line


@pytest.mark.parametrize(
    ("text", "accepts"),
    [
        ("ok", True), ("OK.", True), ("Đồng ý", True), ("chấp nhận", True), ("giu nguyen", True),
        ("đúng rồi!", True), ("ok nhưng sửa số chết", False), ("Số chết sai", False), ("", False),
    ],
)  # fmt: skip
def test_words_that_keep_a_report_as_it_was(text: str, accepts: bool) -> None:
    """`/tralai 12 ok` accepts; a reason that merely starts with ok does not."""
    assert is_acceptance(text) is accepts
