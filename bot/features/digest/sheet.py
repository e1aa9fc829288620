"""The digest's workbook, laid out as a supervisor would by hand: a sheet per report type; a
title row; one header row in the reader's language (frozen, with filters); a code and a name
column for each level of the area tree below the digest's area; every village, those that have
not reported marked, late ones marked; a subtotal after each commune and region, and the total.

Subtotals are written as values (no formulas) and every cell goes through bot.core.sheets, so a
name that looks like a formula stays text. Rows are outlined like Excel's own Subtotal command:
the buttons at the left fold the villages away to show communes, regions, the total."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.models import Area
from bot.core.periods import describe
from bot.core.sheets import put_cell
from bot.features.digest.sheet_data import Line, Status, Subtotal, TypeSheet
from bot.features.export.rows import local_time
from bot.features.export.xlsx import sheet_title
from bot.features.reports.types import FieldSpec

Translate = Callable[..., str]  # key, **params → text in the reader's language

TITLE_ROW, HEADER_ROW = 1, 2
FIRST_ROW = HEADER_ROW + 1
MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 6, 40, 16
_FILL = {
    Status.MISSING: PatternFill("solid", fgColor="FFCDD2"),  # light red
    Status.LATE: PatternFill("solid", fgColor="FFE0B2"),  # amber
    Status.RETURNED: PatternFill("solid", fgColor="E1BEE7"),  # light purple
}
_SUBTOTAL_FILL = PatternFill("solid", fgColor="EEEEEE")
_TOTAL_FILL = PatternFill("solid", fgColor="D6D6D6")
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_RULE = Border(bottom=Side(style="thin", color="808080"))


def workbook_bytes(
    sheets: Sequence[TypeSheet], *, area: Area, cutoff: datetime, lang: str, t: Translate,
    tz: tzinfo,
) -> bytes:  # fmt: skip
    """The workbook as .xlsx bytes, one sheet per TypeSheet, in `lang` (`t` translates)."""
    book = Workbook()
    book.remove(book.active)  # a new workbook comes with an empty sheet
    taken: set[str] = set()
    for part in sheets:
        sheet = book.create_sheet(sheet_title(part.type.name(lang), taken))
        _Writer(sheet, part, area=area, lang=lang, t=t, tz=tz).write(cutoff)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Writer:
    def __init__(
        self, sheet: Worksheet, part: TypeSheet, *, area: Area, lang: str, t: Translate,
        tz: tzinfo,
    ) -> None:  # fmt: skip
        self.sheet, self.part, self.area = sheet, part, area
        self.lang, self.t, self.tz = lang, t, tz
        self.fields = part.type.fields
        self.widths: dict[int, int] = {}
        levels = len(part.levels)
        self.status_col = 2 * levels + 1
        self.previous_col = self.status_col + len(self.fields) + 1

    def write(self, cutoff: datetime) -> None:
        sheet, part = self.sheet, self.part
        when = local_time(cutoff, self.tz)
        title = self.t(
            "digest.sheet.title", type=part.type.name(self.lang),
            period=describe(part.period, self.lang), area=self.area.name,
            time=f"{when:%H:%M %d/%m/%Y}", deadline=f"{part.deadline:%d/%m/%Y}",
        )  # fmt: skip
        put_cell(sheet, TITLE_ROW, 1, title).font = Font(bold=True, size=12)
        headers = self._headers()
        for col, text in enumerate(headers, start=1):
            cell = put_cell(sheet, HEADER_ROW, col, text)
            cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _RULE
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            self._measure(col, text, cap=HEADER_WRAP)
        row = FIRST_ROW
        for entry in part.rows:
            if isinstance(entry, Line):
                self._line(row, entry)
            else:
                self._subtotal(row, entry, len(headers))
            if entry.depth > 0:
                sheet.row_dimensions[row].outlineLevel = min(entry.depth, 7)
            row += 1
        last_col = get_column_letter(len(headers))
        sheet.freeze_panes = f"A{FIRST_ROW}"  # the title and the header stay in view
        # The filter covers the villages and subtotals; the total row, outside it, never hides.
        has_total = bool(part.rows) and isinstance(part.rows[-1], Subtotal) and part.rows[-1].total
        last_filtered = max(HEADER_ROW, row - 1 - int(has_total))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_filtered}"
        sheet.sheet_properties.outlinePr.summaryBelow = True
        for col, width in self.widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = min(
                max(width + 2, MIN_WIDTH), MAX_WIDTH
            )

    def _headers(self) -> list[str]:
        t = self.t
        out: list[str] = []
        for kind in self.part.levels:
            out += [t(f"digest.sheet.code.{kind}"), t(f"digest.sheet.level.{kind}")]
        out.append(t("digest.sheet.status", period=describe(self.part.period, self.lang)))
        out += [f.name(self.lang) for f in self.fields]
        out.append(t("digest.sheet.previous", period=describe(self.part.previous, self.lang)))
        out += [t("digest.sheet.collaborators"), t("digest.sheet.reporter"),
                t("digest.sheet.received"), t("digest.sheet.reports")]  # fmt: skip
        return out

    def _put(self, row: int, col: int, value: Any) -> Any:
        cell = put_cell(self.sheet, row, col, value)
        self._measure(col, value)
        return cell

    def _measure(self, col: int, value: Any, *, cap: int = MAX_WIDTH) -> None:
        if isinstance(value, datetime):
            shown = 16  # dd/mm/yyyy hh:mm
        elif isinstance(value, date):
            shown = 10
        else:
            shown = 0 if value is None else len(str(value))
        self.widths[col] = max(self.widths.get(col, 0), min(shown, cap))

    def _places(self, row: int, areas: Sequence[Area]) -> None:
        """Each area's code and name in its level's two columns."""
        for area in areas:
            if area.kind in self.part.levels:
                col = 2 * self.part.levels.index(area.kind) + 1
                self._put(row, col, area.code)
                self._put(row, col + 1, area.name)

    def _line(self, row: int, line: Line) -> None:
        self._places(row, (*line.above, line.area))
        status = self._put(row, self.status_col, self._status(line.status))
        previous = self._put(row, self.previous_col, self._status(line.previous))
        for cell, state in ((status, line.status), (previous, line.previous)):
            if state in _FILL:
                cell.fill = _FILL[state]
        for col, spec in enumerate(self.fields, start=self.status_col + 1):
            self._put(row, col, self._value(spec, line.values.get(spec.code)))
        col = self.previous_col + 1
        self._put(row, col, ", ".join(line.collaborators) or None)
        self._put(row, col + 1, line.reporter or None)
        received = local_time(line.received_at, self.tz) if line.received_at else None
        self._put(row, col + 2, received)
        self._put(row, col + 3, line.reports or None)

    def _subtotal(self, row: int, entry: Subtotal, width: int) -> None:
        tally = entry.tally
        if entry.total:
            label_col = 2  # the first name column
            self._put(row, label_col, self.t("digest.sheet.total", area=entry.area.name))
        else:
            self._places(row, entry.above)
            label_col = 2 * self.part.levels.index(entry.area.kind) + 1
            self._put(row, label_col, entry.area.code)
            self._put(row, label_col + 1, self.t("digest.sheet.subtotal", area=entry.area.name))
        count = self._count(tally.reported, tally.expected, tally.late)
        if tally.returned:
            count += self.t("digest.sheet.count_returned", count=tally.returned)
        self._put(row, self.status_col, count)
        for col, spec in enumerate(self.fields, start=self.status_col + 1):
            if spec.kind == "number":
                self._put(row, col, tally.sums.get(spec.code, 0))
        self._put(row, self.previous_col, self._count(
            tally.previous_reported, tally.expected, tally.previous_late))  # fmt: skip
        fill = _TOTAL_FILL if entry.total else _SUBTOTAL_FILL
        for col in range(1, width + 1):
            cell = self.sheet.cell(row=row, column=col)
            cell.font, cell.fill = Font(bold=True), fill

    def _status(self, status: Status) -> str:
        return self.t(f"digest.sheet.{status.value}")

    def _count(self, reported: int, expected: int, late: int) -> str:
        text = self.t("digest.sheet.count", reported=reported, expected=expected)
        return text + (self.t("digest.sheet.count_late", count=late) if late else "")

    def _value(self, spec: FieldSpec, value: Any) -> Any:
        if spec.kind == "yesno" and isinstance(value, bool):
            return self.t("report.yes" if value else "report.no")
        if spec.kind == "date" and isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value
