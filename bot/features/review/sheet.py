"""The returned reports of a period as a table for the export (`/xuat` adds it as a sheet of its
own, apart from the report rows): each return with its state, reason, officer and times."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.core.periods import Period, parse_key
from bot.core.review_records import ReportReturn, ReturnState

if TYPE_CHECKING:
    from bot.features.reports.service import Reports

TITLE = "Báo cáo trả lại"
NAMES = (
    "Số báo cáo", "Mã địa bàn", "Địa bàn", "Kỳ báo cáo", "Loại báo cáo", "Tình trạng", "Lý do",
    "Người trả lại", "Lúc trả lại", "Cộng tác viên", "Xử lý lúc",
)  # fmt: skip
CODES = (
    "number", "area_code", "area_name", "period", "report_type", "review_state", "reason",
    "returned_by", "returned_at", "collaborator", "closed_at",
)  # fmt: skip
STATES = {
    ReturnState.OPEN: "chờ sửa",
    ReturnState.CORRECTED: "đã sửa",
    ReturnState.ACCEPTED: "giữ nguyên",
    ReturnState.RETRACTED: "đã hủy",
}


def returned_rows(reports: Reports, area: str, period: Period) -> list[tuple[Any, ...]]:
    """The returns of reports of villages under `area` whose period starts inside `period`,
    open ones first, then by report number."""
    areas, people = reports.areas, reports.store.people
    found = [
        m for m in reports.store.report_returns.all()
        if areas.contains(area, m.area) and _inside(m, period)
    ]  # fmt: skip
    found.sort(key=lambda m: (not m.open, m.number))

    def name(person_id: int | None) -> str:
        person = people.get(person_id) if person_id is not None else None
        return person.name if person is not None else ""

    rows = []
    for m in found:
        rt = reports.types.get(m.type)
        rows.append((
            m.number, m.area, areas.get(m.area).name if m.area in areas else "", m.period,
            rt.name_vi if rt is not None else m.type, STATES[m.state], m.reason,
            name(m.officer), _local(m.returned_at, reports.tz), name(m.collaborator),
            _local(m.closed_at, reports.tz) if m.closed_at else None,
        ))  # fmt: skip
    return rows


def _inside(mark: ReportReturn, period: Period) -> bool:
    try:
        start = parse_key(mark.period).start
    except ValueError:
        return False
    return period.start <= start <= period.end


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """In the deployment's zone, without it (spreadsheets want naive times)."""
    return moment.astimezone(tz).replace(tzinfo=None)
