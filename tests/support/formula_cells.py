"""Text a spreadsheet would run as a formula, for the tests of every CSV and XLSX the bot makes."""

from __future__ import annotations

import csv
import io

# Names and notes as a hostile chat user or import sheet could give them: each lead character a
# spreadsheet reads as the start of a formula (=, +, -, @), and the tab and CR that some strip.
FORMULA_TEXTS = (
    "=2*3+cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """A written CSV file read back (BOM or not) as a spreadsheet would: by its header."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def neutral(text: str) -> str:
    """How a CSV cell holding `text` must read: a leading ' makes it plain text."""
    return "'" + text
