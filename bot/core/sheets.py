"""The one writer of spreadsheet cells: a cell value made safe, rows as CSV, a value into an XLSX
cell. Every CSV and XLSX the bot writes (export, digest, audit, people import) goes through here.

Text from chats, import sheets and names can start with what a spreadsheet reads as a formula
(`=2*3+cmd|' /C calc'!A0`). Text starting with = + - @, a tab or a CR is neutralised: in CSV by a
leading ' (the spreadsheet then shows it as text), in XLSX by a text cell marked as typed with a
leading ' (Excel's quotePrefix: shown as typed, still text when edited). Numbers stay numbers:
a negative number is a number, not a formula; only text is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is only needed by the code that builds a workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# A cell starting with one of these is a formula to Excel or LibreOffice (tab and CR: some strip
# them and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
_NUMBERS = (int, float, Decimal)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as the start of a formula."""
    return text.startswith(FORMULA_STARTS)


def safe_text(text: str) -> str:
    """Text that a spreadsheet shows as typed: a leading ' stops `=…` from running."""
    return "'" + text if formula_like(text) else text


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for None, 1/0 for yes/no, numbers as written, text safe."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before the numbers: bool is an int
        return "1" if value else "0"
    if isinstance(value, _NUMBERS):
        return str(value)
    return safe_text(str(value))


def csv_text(rows: Iterable[Sequence[Any]], *, newline: str = "\r\n") -> str:
    """The rows (the header first) as CSV text, every cell through `csv_cell`."""
    # The csv module quotes a cell only for the line break characters of its own terminator:
    # each row is written with CR LF (so a cell holding either is quoted), then ended as asked.
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    lines = []
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow([csv_cell(v) for v in row])
        lines.append(buf.getvalue().removesuffix("\r\n") + newline)
    return "".join(lines)


def csv_bytes(rows: Iterable[Sequence[Any]], *, newline: str = "\r\n") -> bytes:
    """The rows as a CSV file: UTF-8 with a BOM, so Excel reads Vietnamese letters right."""
    return csv_text(rows, newline=newline).encode("utf-8-sig")


def put_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write `value` into an XLSX cell: text always as text (never a formula, and marked as typed
    with a ' when it looks like one), numbers as numbers, dates as real dates."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make text starting with "=" a formula
        if formula_like(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell
