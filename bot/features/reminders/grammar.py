"""Read what an officer types after `/nhac them`: when, for which areas, and the text.

ngay 20 hang thang luc 8:00: Nộp báo cáo tháng
thu hai hang tuan 7h30 tai Xã Hương Sơn: Giao ban đầu tuần
hang ngay luc 16:00: Cập nhật ca bệnh
truoc han 2 ngay                     (before the default report type's deadline)
chien dich 15/12 -7,-1,0 luc 7:00: Ngày tiêm chủng mở rộng
30/11 luc 14:00: Họp triển khai
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.core.errors import UserError
from bot.core.models import ReminderKind
from bot.core.text import fold

MAX_TEXT = 1500
DEFAULT_AT = "08:00"
CAMPAIGN_OFFSETS = (-7, -1, 0)

# The text starts at the first ':' that is not inside a time like 8:00, or at a new line.
_SPLIT = re.compile(r":(?!\d)|(?<!\d):|\n")
_TIME = re.compile(
    r"(?:\bluc\s*)?\b(\d{1,2})\s*(?::|h|gio)\s*(\d{2})?\b(?:\s*phut)?|\bluc\s*(\d{1,2})\b"
)
_AREAS = re.compile(r"\s(?:t[aạ]i|cho)\s+(.+)$", re.IGNORECASE)
_WEEKDAYS = {
    "2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4, "sau": 4,
    "7": 5, "bay": 5,
}  # fmt: skip
_MONTHLY = re.compile(r"^(?:vao\s+)?ngay\s+(\d{1,2})\s+(?:hang|moi)\s+thang$")
_WEEKLY = re.compile(r"^(?:vao\s+)?(?:thu\s*(\w+)|t(\d)|(chu nhat|cn))\s+(?:hang|moi)\s+tuan$")
_DAILY = re.compile(r"^(?:hang|moi)\s+ngay$")
_DEADLINE = re.compile(r"^truoc\s+han(?:\s+(.+?))?\s+(\d{1,2})\s+ngay$")
_CAMPAIGN = re.compile(
    r"^(?:chien dich|su kien)\s+(\d{1,2}/\d{1,2}(?:/\d{2,4})?)((?:\s*,?\s*[+-]?\d{1,3})*)$"
)
_ONCE = re.compile(r"^(?:ngay\s+)?(\d{1,2}/\d{1,2}(?:/\d{2,4})?)$")


@dataclass(frozen=True, slots=True)
class ParsedReminder:
    kind: ReminderKind
    at: str
    text: str
    areas: tuple[str, ...] = ()  # words naming areas; empty: the sender's own area
    day_of_month: int | None = None
    weekday: int | None = None
    report_type: str = ""  # a word naming a report type; "": the default type
    days_before: int = 0
    on_date: str = ""
    offsets: tuple[int, ...] = field(default=())


def parse_reminder(args: str, *, today: date) -> ParsedReminder:
    """Refusals are UserErrors whose message shows the right forms."""
    args = args.strip()
    cut = _SPLIT.search(args)
    head, text = (args[: cut.start()], args[cut.end() :].strip()) if cut else (args, "")
    if len(text) > MAX_TEXT:
        raise UserError("remind.too_long", limit=MAX_TEXT)
    areas: tuple[str, ...] = ()
    found = _AREAS.search(" " + head)
    if found:
        areas = tuple(w.strip() for w in found.group(1).split(",") if w.strip())
        head = head[: max(found.start() - 1, 0)]
    when = fold(head)
    at, when = _time_of(when)
    parsed = _kind(when, today)
    if parsed is None:
        raise UserError("remind.usage")
    kind, extra = parsed
    if kind is not ReminderKind.DEADLINE and not text:
        raise UserError("remind.no_text")
    return ParsedReminder(kind=kind, at=at, text=text, areas=areas, **extra)  # type: ignore[arg-type]


def _time_of(when: str) -> tuple[str, str]:
    found = _TIME.search(when)
    if not found:
        return DEFAULT_AT, when
    hour = int(found.group(1) or found.group(3))
    minute = int(found.group(2) or 0)
    if hour > 23 or minute > 59:
        raise UserError("remind.bad_time", text=found.group(0).strip())
    rest = (when[: found.start()] + " " + when[found.end() :]).split()
    return f"{hour:02d}:{minute:02d}", " ".join(rest)


def _kind(when: str, today: date) -> tuple[ReminderKind, dict[str, object]] | None:
    if m := _MONTHLY.match(when):
        day = int(m.group(1))
        if not 1 <= day <= 31:
            raise UserError("remind.bad_day", day=day)
        return ReminderKind.MONTHLY, {"day_of_month": day}
    if m := _WEEKLY.match(when):
        if m.group(3):
            return ReminderKind.WEEKLY, {"weekday": 6}
        word = m.group(1) or m.group(2)
        if word not in _WEEKDAYS:
            return None
        return ReminderKind.WEEKLY, {"weekday": _WEEKDAYS[word]}
    if _DAILY.match(when):
        return ReminderKind.DAILY, {}
    if m := _DEADLINE.match(when):
        return ReminderKind.DEADLINE, {
            "report_type": m.group(1) or "", "days_before": int(m.group(2)),
        }  # fmt: skip
    if m := _CAMPAIGN.match(when):
        offsets = tuple(int(x) for x in re.findall(r"[+-]?\d+", m.group(2))) or CAMPAIGN_OFFSETS
        return ReminderKind.CAMPAIGN, {
            "on_date": _date(m.group(1), today).isoformat(), "offsets": offsets,
        }  # fmt: skip
    if m := _ONCE.match(when):
        return ReminderKind.ONCE, {"on_date": _date(m.group(1), today).isoformat()}
    return None


def _date(text: str, today: date) -> date:
    parts = [int(p) for p in text.split("/")]
    year = parts[2] if len(parts) == 3 else today.year
    year += 2000 if year < 100 else 0
    try:
        day = date(year, parts[1], parts[0])
    except ValueError:
        raise UserError("remind.bad_date", text=text) from None
    if len(parts) == 2 and day < today:
        day = day.replace(year=year + 1)
    return day
