"""Field reports as export rows (one per village, period and type), and those rows as CSV."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.core.areas import AreaTree
from bot.core.models import Report
from bot.core.periods import Period, PeriodKind, parse_key, period_of
from bot.core.sheets import csv_bytes
from bot.features.reports.types import ReportType, ReportTypes

if TYPE_CHECKING:
    from bot.store.base import ReportsRepo

log = logging.getLogger(__name__)

LEADING = ("area_code", "area_name", "period", "report_type")
TRAILING = ("reporter", "platform", "received_at", "late", "version")
# Columns only when a row has them: reports moved by `areas migrate` name the area they were sent
# for (its code then, and its name then).
FORMER = ("former_area", "former_name")
# The event date an event report may carry among its values; not a field of its own.
EVENT_DATE_KEY = "ngay"
_SPAN: dict[PeriodKind, int] = {"day": 0, "week": 1, "month": 2, "quarter": 3}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One village's report of one type for one period, as exported.

    Period mode: the latest version of the village's report. Event mode: the sum of the
    period's events (each at its latest version, retracted ones left out), where
    - `values`: number fields summed over the events that gave them; any other field (yes/no,
      choice, text, date) is the value in the most recent event that gave it; a field that
      no event gave is absent (an empty cell, not 0);
    - `reporter`, `reporter_id`, `platform`, `received_at`: those of the most recent event;
    - `late`: whether any event was late;
    - `version`: how many events were summed.
    """

    area_code: str
    area_name: str
    period: str
    report_type: str
    values: Mapping[str, Any]  # field code → value, as stored (dates as ISO text)
    reporter: str  # the `people` label of `reporter_id`
    reporter_id: int
    platform: str
    received_at: datetime  # aware, UTC as stored
    late: bool
    version: int
    former_area: str = ""  # the area code the report was sent for, when `areas migrate` moved it
    former_name: str = ""  # that area's name then


def extra_columns(rows: Iterable[ExportRow], fields: Sequence[str]) -> tuple[list[str], list[str]]:
    """The columns beyond the configured ones that the rows need: the former area (when a row
    was moved by `areas migrate`), and fields removed from config whose values are still stored
    (in the order first seen), so a removed field keeps its history in exports."""
    known = set(fields)
    former = False
    removed: dict[str, None] = {}
    for row in rows:
        former = former or bool(row.former_area)
        removed.update((k, None) for k in row.values if k not in known and k != EVENT_DATE_KEY)
    return (list(FORMER) if former else []), list(removed)


def export_rows(
    reports: ReportsRepo,
    *,
    types: ReportTypes,
    areas: AreaTree,
    period: str,
    area: str | None = None,
    type_code: str | None = None,
    people: Callable[[int], str],
) -> list[ExportRow]:
    """The rows of `period` (a key: 2026-11, 2026-W45, 2026-Q4, 2026-11-24).

    A type reported per shorter period than `period` gives a row per village for each of its
    periods that starts inside `period` (a daily type over a month: one row per village and
    day; a weekly type: the weeks whose Monday is in it). A type reported per longer period is
    left out when all types are exported, and refused (ValueError) when asked for by
    `type_code`. `area`: only villages under this area code (all reports when None).
    Rows come sorted by area code, then type (config order), then period.
    ValueError for an unknown period key, area or type code.
    """
    wanted = parse_key(period)
    chosen = _chosen_types(types, type_code, wanted)
    codes: set[str] | None = None
    if area is not None:
        if area not in areas:
            msg = f"no area has the code {area!r}"
            raise ValueError(msg)
        # The whole subtree: reports are sent for villages, but `areas migrate` may have moved
        # old reports onto the commune that replaced theirs.
        codes = set(areas.subtree(area))
    order = {rt.code: i for i, rt in enumerate(types)}
    rows: list[ExportRow] = []
    for rt in chosen:
        for key in periods_within(rt.period, wanted):
            found = reports.in_period(rt.code, key, areas=codes)
            if rt.mode == "period":
                rows += [_row(r, areas, people) for r in found if not r.retracted]
            else:
                rows += _event_rows(rt, found, areas, people)
    rows.sort(key=lambda r: (r.area_code, order.get(r.report_type, len(order)), r.period))
    return rows


def _chosen_types(types: ReportTypes, type_code: str | None, wanted: Period) -> list[ReportType]:
    if type_code is None:
        chosen = [rt for rt in types if _SPAN[rt.period] <= _SPAN[wanted.kind]]
        skipped = [rt.code for rt in types if rt not in chosen]
        if skipped:
            log.info("export of %s leaves out types with longer periods: %s", wanted.key, skipped)
        return chosen
    rt = types.get(type_code)
    if rt is None:
        msg = f"no report type has the code {type_code!r}"
        raise ValueError(msg)
    if _SPAN[rt.period] > _SPAN[wanted.kind]:
        msg = f"{rt.code} is reported per {rt.period}: ask for a {rt.period} or a longer period"
        raise ValueError(msg)
    return [rt]


def periods_within(kind: PeriodKind, wanted: Period) -> list[str]:
    """Keys of the periods of `kind` that start inside `wanted` (none if `kind` is longer)."""
    if _SPAN[kind] > _SPAN[wanted.kind]:
        return []
    current = period_of(kind, wanted.start)
    if current.start < wanted.start:  # a week that began in the month before belongs there
        current = current.next()
    keys = []
    while current.start <= wanted.end:
        keys.append(current.key)
        current = current.next()
    return keys


def _area_name(areas: AreaTree, code: str) -> str:
    # A village removed from config keeps its reports; they are exported without a name.
    return areas.get(code).name if code in areas else ""


def _row(report: Report, areas: AreaTree, people: Callable[[int], str]) -> ExportRow:
    return ExportRow(
        area_code=report.area,
        area_name=_area_name(areas, report.area),
        period=report.period,
        report_type=report.type,
        values=dict(report.values),
        reporter=people(report.reporter),
        reporter_id=report.reporter,
        platform=report.platform,
        received_at=report.received_at,
        late=report.late,
        version=report.version,
        **_former(report),
    )


def _former(report: Report) -> dict[str, str]:
    if not report.former_area:
        return {}
    return {"former_area": report.former_area, "former_name": report.area_name}


def _event_rows(
    rt: ReportType, found: Iterable[Report], areas: AreaTree, people: Callable[[int], str]
) -> list[ExportRow]:
    """One summed row per village from the latest versions of the period's events (events moved
    onto it from several old areas by `areas migrate` stay one row per old area)."""
    by_area: dict[tuple[str, str], list[Report]] = {}
    for report in found:
        if not report.retracted:
            by_area.setdefault((report.area, report.former_area), []).append(report)
    configured = {spec.code for spec in rt.fields}
    rows = []
    for events in by_area.values():
        events.sort(key=lambda r: (r.received_at, r.id))  # oldest first: later values win
        values: dict[str, Any] = {}
        for spec in rt.fields:
            given = [e.values[spec.code] for e in events if spec.code in e.values]
            if not given:
                continue
            if spec.kind == "number":
                values[spec.code] = sum(int(v) for v in given)
            else:
                values[spec.code] = given[-1]
        for code in dict.fromkeys(k for e in events for k in e.values):  # removed fields
            if code in configured or code == EVENT_DATE_KEY:
                continue
            given = [e.values[code] for e in events if code in e.values]
            numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in given)
            values[code] = sum(given) if numbers else given[-1]
        last = events[-1]
        rows.append(
            ExportRow(
                area_code=last.area,
                area_name=_area_name(areas, last.area),
                period=last.period,
                report_type=rt.code,
                values=values,
                reporter=people(last.reporter),
                reporter_id=last.reporter,
                platform=last.platform,
                received_at=last.received_at,
                late=any(e.late for e in events),
                version=len(events),
                **_former(last),
            )
        )
    return rows


def field_codes(types: ReportTypes, type_code: str | None = None) -> list[str]:
    """The field columns: those of one type, or of every type in config order (each once)."""
    chosen = list(types) if type_code is None else [_get(types, type_code)]
    return list(dict.fromkeys(spec.code for rt in chosen for spec in rt.fields))


def _get(types: ReportTypes, code: str) -> ReportType:
    rt = types.get(code)
    if rt is None:
        msg = f"no report type has the code {code!r}"
        raise ValueError(msg)
    return rt


def columns(types: ReportTypes, type_code: str | None = None) -> list[str]:
    """Every CSV column: area and period, the field codes, then who sent it, when, and how."""
    return [*LEADING, *field_codes(types, type_code), *TRAILING]


def local_time(moment: datetime, tz: tzinfo) -> datetime:
    """`moment` in the deployment's zone, without the zone (spreadsheets want naive times)."""
    return moment.astimezone(tz).replace(tzinfo=None)


def to_csv(
    rows: Iterable[ExportRow], *, types: ReportTypes, type_code: str | None = None, tz: tzinfo
) -> bytes:
    """The rows as CSV: UTF-8 with a BOM (so Excel reads Vietnamese right), codes as headers.

    Columns are `columns(types, type_code)`, with `extra_columns` when rows need them.
    Booleans (yes/no fields, `late`) are 1 and 0;
    `received_at` is local time as `YYYY-MM-DD HH:MM:SS`; a field a row lacks is empty; text
    starting with = + - @, a tab or a CR gets a leading ' so that Excel does not run it as a
    formula (bot.core.sheets writes every cell).
    """
    rows = list(rows)
    former, removed = extra_columns(rows, field_codes(types, type_code))
    fields = field_codes(types, type_code) + removed
    table: list[list[Any]] = [[*LEADING, *former, *fields, *TRAILING]]
    for row in rows:
        cells = [row.area_code, row.area_name, row.period, row.report_type]
        cells += [row.former_area, row.former_name] if former else []
        cells += [row.values.get(f) for f in fields] + [row.reporter, row.platform]
        received = local_time(row.received_at, tz).strftime("%Y-%m-%d %H:%M:%S")
        table.append([*cells, received, row.late, row.version])
    return csv_bytes(table)


@dataclass(frozen=True, slots=True)
class ExtraSheet:
    """A sheet beside the report types' (e.g. the period's surveys): a title, the column names
    people read (row 1), their codes (row 2), and the rows."""

    title: str
    names: tuple[str, ...]
    codes: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def to_xlsx(
    rows: Iterable[ExportRow],
    *,
    types: ReportTypes,
    type_code: str | None = None,
    tz: tzinfo,
    extra: Sequence[ExtraSheet] = (),
) -> bytes:
    """The rows as an Excel workbook, one sheet per type (see bot.features.export.xlsx), then
    the `extra` sheets."""
    from bot.features.export.xlsx import workbook_bytes  # openpyxl loads only when needed

    return workbook_bytes(list(rows), types=types, type_code=type_code, tz=tz, extra=extra)
