"""The one writer of spreadsheet cells: text that looks like a formula is neutralised, numbers
stay numbers, and no other module of the bot writes CSV or XLSX cells itself."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from bot.core.sheets import csv_bytes, csv_cell, csv_text, put_cell, safe_text
from tests.support.formula_cells import FORMULA_TEXTS, csv_rows, neutral

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_text_with_a_formula_lead_gets_a_quote(text: str) -> None:
    assert safe_text(text) == csv_cell(text) == neutral(text)


def test_numbers_stay_numbers_and_plain_text_stays_as_typed() -> None:
    """A negative number is a number, not a formula; only text is neutralised."""
    assert [csv_cell(v) for v in (-3, -1.5, Decimal("-2.50"), 0, True, False, None)] == [
        "-3", "-1.5", "-2.50", "0", "1", "0", "",
    ]  # fmt: skip
    assert [csv_cell(v) for v in ("-3", "Nguyễn Thị Lan", "2026-11", "a=b", " =1")] == [
        "'-3", "Nguyễn Thị Lan", "2026-11", "a=b", " =1",
    ]  # fmt: skip


def test_csv_reads_back_with_a_cr_inside_a_cell_whatever_the_line_end() -> None:
    rows = [["name", "count"], ["\r=1+2", -4], ["Lan", 2]]
    for newline in ("\n", "\r\n"):
        text = csv_text(rows, newline=newline)
        assert text.endswith(newline) and text.count(newline) == 3
        read = csv_rows(text.encode())
        assert read == [{"name": "'\r=1+2", "count": "-4"}, {"name": "Lan", "count": "2"}]
    assert csv_bytes(rows).startswith("\ufeff".encode())


def test_xlsx_cells_keep_text_as_text_and_numbers_and_dates_typed() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    values = ["=2*3+cmd|' /C calc'!A0", "@SUM(1+9)", "Lan", -3, 2.5, date(2026, 11, 2),
              datetime(2026, 11, 2, 8, 30)]  # fmt: skip
    for column, value in enumerate(values, start=1):
        put_cell(sheet, 1, column, value)
    out = io.BytesIO()
    book.save(out)
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert read is not None
    cells = list(read[1])
    assert [(c.data_type, c.quotePrefix) for c in cells[:5]] == [
        ("s", True), ("s", True), ("s", False), ("n", False), ("n", False),
    ]  # fmt: skip
    assert [c.value for c in cells[:5]] == values[:5]
    assert cells[5].value == datetime(2026, 11, 2) and cells[5].number_format == "dd/mm/yyyy"
    assert cells[6].value == values[6] and cells[6].number_format == "dd/mm/yyyy hh:mm"


# What writes a CSV row or an XLSX cell without the shared writer.
_OWN_WRITERS = re.compile(
    r"csv\.(writer|DictWriter)\(|\.cell\([^)]*value=|\.value\s*=(?!=)|\b(ws|\w*sheet)\.append\("
)


def test_every_csv_and_xlsx_goes_through_the_one_writer() -> None:
    """Export, digest, audit and the people import all write through bot.core.sheets."""
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path == ROOT / "bot" / "core" / "sheets.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _OWN_WRITERS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "write cells through bot.core.sheets:\n" + "\n".join(found)
