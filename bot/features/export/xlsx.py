"""Export rows as an Excel workbook: one sheet per report type, Vietnamese headers over codes."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.sheets import DATE_FORMAT, DATETIME_FORMAT, put_cell
from bot.features.export.rows import (
    LEADING,
    TRAILING,
    ExportRow,
    ExtraSheet,
    extra_columns,
    local_time,
)
from bot.features.reports.types import FieldSpec, ReportType, ReportTypes

log = logging.getLogger(__name__)

# Row 1: what people read. Row 2: the codes, the same as the CSV's header, so that a sheet and
# a CSV of the same export line up and formulas or scripts can find a column by its code.
HEADINGS = {
    "area_code": "Mã địa bàn",
    "area_name": "Địa bàn",
    "period": "Kỳ báo cáo",
    "report_type": "Loại báo cáo",
    "reporter": "Người báo cáo",
    "platform": "Nền tảng",
    "received_at": "Thời điểm nhận",
    "late": "Nộp muộn",
    "version": "Phiên bản",
    "former_area": "Mã địa bàn cũ",
    "former_name": "Địa bàn cũ",
}
REMOVED_FIELD = "{code} (trường đã bỏ)"  # a field no longer in config whose values are stored
# An event-mode row is a sum of messages, so its last columns mean something else.
EVENT_HEADINGS = {
    **HEADINGS,
    "received_at": "Nhận tin cuối",
    "late": "Có tin nộp muộn",
    "version": "Số tin báo",
}
YES, NO = "có", "không"
MIN_WIDTH, MAX_WIDTH = 8, 45
_BAD_TITLE_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def workbook_bytes(
    rows: Sequence[ExportRow],
    *,
    types: ReportTypes,
    type_code: str | None,
    tz: tzinfo,
    extra: Sequence[ExtraSheet] = (),
) -> bytes:
    """The workbook as .xlsx bytes: a sheet per type (the one asked for, or all in config order).

    Each sheet: row 1 the Vietnamese column names (bold), row 2 the column codes (grey), both
    frozen with the area columns; a filter on row 2. Numbers are numbers, yes/no and `late`
    are "có"/"không", dates and times are real Excel dates in local time; text stays text (a
    value starting with "=" is never a formula: bot.core.sheets writes every cell).
    """
    chosen = list(types)
    if type_code is not None:
        rt = types.get(type_code)
        if rt is None:
            msg = f"no report type has the code {type_code!r}"
            raise ValueError(msg)
        chosen = [rt]
    book = Workbook()
    book.remove(book.active)  # a new workbook comes with an empty sheet
    titles: set[str] = set()
    for rt in chosen:
        sheet = book.create_sheet(_title(rt, titles))
        _fill(sheet, rt, [r for r in rows if r.report_type == rt.code], tz)
    for table in extra:
        _fill_table(book.create_sheet(sheet_title(table.title, titles)), table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_title(name: str, taken: set[str]) -> str:
    """`name` as a sheet title Excel accepts (at most 31 characters, none of []:*?/\\, no '
    at either end), made unique among `taken` (case-folded titles, which it joins)."""
    title = " ".join(name.translate(_BAD_TITLE_CHARS).split())[:31].strip(" '") or "Sheet"
    while title.casefold() in taken:
        title = title[:29] + " 2"
    taken.add(title.casefold())
    return title


def _title(rt: ReportType, taken: set[str]) -> str:
    """The type's Vietnamese name as a sheet title (31 characters, no []:*?/\\), else its code."""
    title = " ".join(rt.name_vi.translate(_BAD_TITLE_CHARS).split())[:31].strip()
    if not title or title.casefold() in taken:
        title = rt.code[:31]
    taken.add(title.casefold())
    return title


def _fill(sheet: Worksheet, rt: ReportType, rows: list[ExportRow], tz: tzinfo) -> None:
    headings = EVENT_HEADINGS if rt.mode == "event" else HEADINGS
    former, removed = extra_columns(rows, [f.code for f in rt.fields])
    codes = [*LEADING, *former, *(f.code for f in rt.fields), *removed, *TRAILING]
    names = [*(headings[c] for c in (*LEADING, *former)), *(f.name_vi for f in rt.fields)]
    names += [REMOVED_FIELD.format(code=c) for c in removed] + [headings[c] for c in TRAILING]
    widths = [max(len(n), len(c)) for n, c in zip(names, codes, strict=True)]
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for col, (name, code) in enumerate(zip(names, codes, strict=True), start=1):
        top = put_cell(sheet, 1, col, name)
        top.font = bold
        top.alignment = Alignment(wrap_text=True, vertical="top")
        put_cell(sheet, 2, col, code).font = grey
    for index, row in enumerate(rows, start=3):
        head: list[Any] = [row.area_code, row.area_name, row.period, row.report_type]
        head += [row.former_area, row.former_name] if former else []
        cells = head + [_field_value(f, row.values.get(f.code)) for f in rt.fields]
        cells += [row.values.get(c) for c in removed]
        when = local_time(row.received_at, tz)
        cells += [row.reporter, row.platform, when, YES if row.late else NO, row.version]
        for col, value in enumerate(cells, start=1):
            put_cell(sheet, index, col, value)
            widths[col - 1] = max(widths[col - 1], _shown_width(value))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    last = get_column_letter(len(codes))
    sheet.freeze_panes = "C3"  # the two header rows and the area code and name stay in view
    sheet.auto_filter.ref = f"A2:{last}{max(2, len(rows) + 2)}"


def _fill_table(sheet: Worksheet, table: ExtraSheet) -> None:
    """An extra sheet laid out like the report sheets: names, codes, rows, a filter."""
    widths = [max(len(n), len(c)) for n, c in zip(table.names, table.codes, strict=True)]
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for col, (name, code) in enumerate(zip(table.names, table.codes, strict=True), start=1):
        put_cell(sheet, 1, col, name).font = bold
        put_cell(sheet, 2, col, code).font = grey
    for index, row in enumerate(table.rows, start=3):
        for col, value in enumerate(row, start=1):
            put_cell(sheet, index, col, value)
            widths[col - 1] = max(widths[col - 1], _shown_width(value))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A3"
    last = get_column_letter(len(table.codes))
    sheet.auto_filter.ref = f"A2:{last}{max(2, len(table.rows) + 2)}"


def _field_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == "yesno" and isinstance(value, bool):
        return YES if value else NO
    if spec.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            log.warning("export: a %s value is not an ISO date: %r", spec.code, value)
    return value


def _shown_width(value: Any) -> int:
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return 0 if value is None else len(str(value))
