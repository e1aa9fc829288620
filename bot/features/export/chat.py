"""/xuat in chat: a period's spreadsheet for an officer's or supervisor's area."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.models import Area
from bot.core.text import fold
from bot.features.audit.access_log import record_access
from bot.features.audit.log import AuditLog, actor_where, actor_who
from bot.features.export.rows import ExtraSheet, export_rows, to_xlsx
from bot.features.review import sheet as returned

if TYPE_CHECKING:
    from bot.features.reports.service import Reports

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Spreadsheet:
    """A ready file: its name, bytes, and how many rows it holds."""

    name: str
    data: bytes
    rows: int
    period: str
    area: str


# The period's surveys as an extra sheet (area, first and last moment), or None.
SurveySheet = Callable[[Area, datetime, datetime], ExtraSheet | None]


def export_for(
    reports: Reports,
    actor: Actor,
    args: str,
    *,
    audit: AuditLog,
    surveys: SurveySheet | None = None,
) -> Spreadsheet:
    """`[period words] [area]`: default this month and the actor's own area; `surveys` adds a
    sheet of the surveys sent into the area in the period."""
    today = reports.today()
    words = fold(args).split()
    try:
        found = periods.match_period_words(words, today=today)
    except periods.PeriodError as exc:
        raise UserError("export.usage") from exc
    period = found.period if found and found.period else periods.period_of("month", today)
    rest = " ".join(args.split()[found.length :]) if found else args
    area = reports.viewed_area(actor, rest)
    people = reports.store.people

    def label(person_id: int) -> str:
        person = people.get(person_id)
        return f"{person.name} ({person_id})" if person else str(person_id)

    rows = export_rows(
        reports.store.reports, types=reports.types, areas=reports.areas, period=period.key,
        area=area.code, people=label,
    )  # fmt: skip
    extra = []
    if surveys is not None:
        start = datetime.combine(period.start, time(), reports.tz)
        end = datetime.combine(period.end, time.max, reports.tz)
        sheet = surveys(area, start, end)
        if sheet is not None:
            extra.append(sheet)
    # Reports officers sent back (bot/features/review), apart from the report rows.
    sent_back = returned.returned_rows(reports, area.code, period)
    if sent_back:
        extra.append(ExtraSheet(returned.TITLE, returned.NAMES, returned.CODES, tuple(sent_back)))
    data = to_xlsx(rows, types=reports.types, tz=reports.tz, extra=extra)
    name = f"bao-cao-{area.code}-{period.key}.xlsx"
    audit.by(
        actor, "export.reports", target=area.code,
        detail={"period": period.key, "rows": len(rows), "format": "xlsx"},
    )  # fmt: skip
    record_access(
        reports.store, reports.clock, "reports.export", who=actor_who(actor),
        where=actor_where(actor), detail={"area": area.code, "period": period.key},
    )  # fmt: skip
    return Spreadsheet(name, data, len(rows), period.key, area.name)
