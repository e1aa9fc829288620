"""Report periods: keys, the current period, the period words people type, deadlines, wording."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

from bot.core.workdays import EVERY_DAY, WorkCalendar

PeriodKind = Literal["day", "week", "month", "quarter"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month", "quarter")
_SEPARATORS = frozenset({":", "="})
# Written out: calendar.month_name follows the process locale, which may be Vietnamese.
_MONTHS_EN = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Schedule(Protocol):
    """What the deadline rules need of a report type (ReportType has these attributes)."""

    @property
    def period(self) -> PeriodKind: ...

    @property
    def deadline_days(self) -> int: ...

    @property
    def accept_late_days(self) -> int | None: ...

    @property
    def workdays(self) -> WorkCalendar:
        """Which days are working days: a deadline on a day off moves to the next one."""


class PeriodError(ValueError):
    """Period words that name no valid period (`reason` "invalid") or one not begun ("future")."""

    def __init__(self, text: str, reason: Literal["invalid", "future"]) -> None:
        super().__init__(f"{reason} period: {text}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One period of a kind, identified by its first day."""

    kind: PeriodKind
    start: date

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def key(self) -> str:
        """The stored key: 2026-11, 2026-W45 (ISO week), 2026-Q4 or 2026-11-24."""
        s = self.start
        if self.kind == "day":
            return s.isoformat()
        if self.kind == "week":
            year, week, _ = s.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{s.year}-{s.month:02d}"
        return f"{s.year}-Q{(s.month - 1) // 3 + 1}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        s = self.start
        if self.kind == "day":
            return Period("day", s + timedelta(days=1))
        if self.kind == "week":
            return Period("week", s + timedelta(days=7))
        months = 1 if self.kind == "month" else 3
        index = s.year * 12 + s.month - 1 + months
        return Period(self.kind, date(index // 12, index % 12 + 1, 1))

    def previous(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == "day":
        return Period("day", day)
    if kind == "week":
        return Period("week", day - timedelta(days=day.weekday()))
    if kind == "month":
        return Period("month", day.replace(day=1))
    return Period("quarter", date(day.year, (day.month - 1) // 3 * 3 + 1, 1))


def parse_key(key: str) -> Period:
    """The period a stored key names; ValueError for anything else."""
    try:
        if len(key) == 10:
            return Period("day", date.fromisoformat(key))
        year_text, _, rest = key.partition("-")
        year = int(year_text)
        if rest.startswith("W") and len(rest) == 3:
            return Period("week", date.fromisocalendar(year, int(rest[1:]), 1))
        if rest.startswith("Q") and len(rest) == 2 and 1 <= int(rest[1]) <= 4:
            return Period("quarter", date(year, int(rest[1]) * 3 - 2, 1))
        if len(rest) == 2 and rest.isdigit():
            return Period("month", date(year, int(rest), 1))
    except ValueError:
        pass
    msg = f"not a period key: {key!r} (e.g. 2026-11, 2026-W45, 2026-Q4, 2026-11-24)"
    raise ValueError(msg)


def current_period(schedule: Schedule, today: date) -> Period:
    """The period of a report type that `today` (a local date) falls in."""
    return period_of(schedule.period, today)


def _as_period(period: Period | str) -> Period:
    return parse_key(period) if isinstance(period, str) else period


def deadline(schedule: Schedule, period: Period | str) -> date:
    """The last on-time day: `deadline_days` days after the period's last day, or the next
    working day when that day is a holiday (or a weekend the config gives off).

    Every deadline, lateness and closing day is computed here, so the report's echo, the
    digest, the reminders and the exports all follow the moved deadline."""
    day = _as_period(period).end + timedelta(days=schedule.deadline_days)
    # Schedules made without a calendar (tests, tools) keep every day as a working day.
    workdays: WorkCalendar = getattr(schedule, "workdays", EVERY_DAY)
    return workdays.on_or_after(day)


def closing_day(schedule: Schedule, period: Period | str) -> date | None:
    """The last day a report for the period is accepted at all; None: never closes."""
    if schedule.accept_late_days is None:
        return None
    return deadline(schedule, period) + timedelta(days=schedule.accept_late_days)


def is_late(schedule: Schedule, period: Period | str, received: date) -> bool:
    """Whether a report received on the local date `received` missed the period's deadline."""
    return received > deadline(schedule, period)


def accepts(schedule: Schedule, period: Period | str, received: date) -> bool:
    """The on-time window plus the late window: from the period's start to its closing day.

    A report for a period that has not begun is refused, and so is one after the closing day
    (`accept_late_days` after the deadline), so an old month cannot be changed by accident.
    """
    p = _as_period(period)
    last = closing_day(schedule, p)
    return p.start <= received and (last is None or received <= last)


def describe(period: Period | str, lang: str) -> str:
    """The period in words: "tháng 11/2026", "tuần 45/2026", "quý 4/2026", "ngày 24/11/2026"."""
    p = _as_period(period)
    s = p.start
    english = lang == "en"
    if p.kind == "day":
        return f"{s.day} {_MONTHS_EN[s.month]} {s.year}" if english else f"ngày {s:%d/%m/%Y}"
    if p.kind == "week":
        year, week, _ = s.isocalendar()
        return f"week {week}, {year}" if english else f"tuần {week}/{year}"
    if p.kind == "month":
        return f"{_MONTHS_EN[s.month]} {s.year}" if english else f"tháng {s.month}/{s.year}"
    quarter = (s.month - 1) // 3 + 1
    return f"Q{quarter} {s.year}" if english else f"quý {quarter}/{s.year}"


def period_forms(kind: PeriodKind, today: date) -> str:
    """How to write a period of `kind`, as typed words with real numbers, for error replies."""
    p = period_of(kind, today).previous()
    s = p.start
    if kind == "day":
        return f"ngay {s.day}/{s.month}, hom qua"
    if kind == "week":
        return f"tuan {s.isocalendar()[1]}"
    if kind == "month":
        return f"thang {s.month}, t{s.month}, {s.month}/{s.year}"
    return f"quy {(s.month - 1) // 3 + 1}"


@dataclass(frozen=True, slots=True)
class PeriodWords:
    """What period words said: a period (thang, t10, 10/2026, tuan, quy) or a day (ngay)."""

    period: Period | None
    day: date | None
    length: int  # how many tokens they took


_KEYWORDS: dict[str, PeriodKind] = {"thang": "month", "tuan": "week", "quy": "quarter"}
# Folded words that start period words: field names must not be one of them.
RESERVED_WORDS = frozenset(
    {"thang", "tuan", "quy", "ngay", "hom nay", "hom qua", "homnay", "homqua"}
)


def match_period_words(words: Sequence[str], *, today: date) -> PeriodWords | None:
    """Period words at the start of `words` (folded tokens; ":" and "=" are tokens too).

    None when they do not start with period words; PeriodError when they do but name no
    valid period, or one that has not begun. Without a year, a number means the latest such
    period that has begun ("thang 12" in November 2026 is December 2025).
    """
    if not words:
        return None
    head = words[0]
    if head in ("hom", "homnay", "homqua"):
        return _relative(words, today)
    if head in _KEYWORDS or head == "ngay":
        rest = list(words[1:])
        used = 1
        if rest and rest[0] in _SEPARATORS:
            rest, used = rest[1:], 2
        if not rest:
            raise PeriodError(head, "invalid")
        text = f"{head} {rest[0]}"
        if head == "ngay":
            return PeriodWords(None, _day(rest[0], text, today), used + 1)
        return PeriodWords(_numbered(_KEYWORDS[head], rest[0], text, today), None, used + 1)
    if len(head) > 1 and head[0] in "tq" and head[1].isdigit():
        kind: PeriodKind = "month" if head[0] == "t" else "quarter"
        return PeriodWords(_numbered(kind, head[1:], head, today), None, 1)
    number, slash, year = head.partition("/")
    if slash and number.isdigit() and len(year) == 4 and year.isdigit():
        return PeriodWords(_numbered("month", head, head, today), None, 1)
    return None


def _relative(words: Sequence[str], today: date) -> PeriodWords | None:
    """`hom nay` (today) and `hom qua` (yesterday), for daily notes."""
    joined = "".join(words[:2])
    if joined in ("homnay", "homqua"):
        used = 2 if words[0] == "hom" else 1
        back = 1 if joined == "homqua" else 0
        return PeriodWords(None, today - timedelta(days=back), used)
    return None


def _numbered(kind: PeriodKind, word: str, text: str, today: date) -> Period:
    """`10` or `10/2026` as a month, ISO week or quarter number."""
    number_text, slash, year_text = word.partition("/")
    if not number_text.isdigit() or (slash and not (year_text.isdigit() and len(year_text) == 4)):
        raise PeriodError(text, "invalid")
    number = int(number_text)
    limit = {"month": 12, "week": 53, "quarter": 4}[kind]
    if not 1 <= number <= limit:
        raise PeriodError(text, "invalid")
    if slash:
        found = _nth(kind, int(year_text), number)
        if found is None:
            raise PeriodError(text, "invalid")
        if found.start > today:
            raise PeriodError(text, "future")
        return found
    # The latest one that has begun; week 53 exists only every five or six years.
    for year in range(
        today.isocalendar()[0] if kind == "week" else today.year, today.year - 8, -1
    ):
        found = _nth(kind, year, number)
        if found is not None and found.start <= today:
            return found
    raise PeriodError(text, "invalid")


def _nth(kind: PeriodKind, year: int, number: int) -> Period | None:
    try:
        if kind == "week":
            return Period("week", date.fromisocalendar(year, number, 1))
        if kind == "month":
            return Period("month", date(year, number, 1))
        return Period("quarter", date(year, number * 3 - 2, 1))
    except ValueError:
        return None


def _day(word: str, text: str, today: date) -> date:
    """`24/11`, `24/11/2026` (also with - or .); without a year, the latest that has come."""
    parts = word.replace("-", "/").replace(".", "/").split("/")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise PeriodError(text, "invalid")
    day, month = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        year = int(parts[2])
        found = _date(year + 2000 if year < 100 else year, month, day)
        if found is None:
            raise PeriodError(text, "invalid")
        if found > today:
            raise PeriodError(text, "future")
        return found
    # 29/02 exists one year in four: look back far enough to find one.
    for year in range(today.year, today.year - 5, -1):
        found = _date(year, month, day)
        if found is not None and found <= today:
            return found
    raise PeriodError(text, "invalid")


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
