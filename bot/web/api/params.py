"""Query parameters: only the known ones, each once, each read into what it names."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.core import periods
from bot.core.periods import Period
from bot.features.reports.types import ReportType, ReportTypes
from bot.web.api.errors import ApiError, bad

PAGING = ("limit", "cursor")
FIRST_YEAR = 2000  # no report is older; and the year before 1 cannot be computed
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_EXAMPLES = {"day": "2026-11-24", "week": "2026-W45", "month": "2026-11", "quarter": "2026-Q4"}


def query(request: web.Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query as a dict; 400 for a parameter this endpoint does not know, or one repeated."""
    known = (*allowed, *PAGING)
    out: dict[str, str] = {}
    for name, value in request.query.items():
        if name not in known:
            raise bad(name, f"unknown parameter {name!r}; this list takes: {', '.join(known)}")
        if name in out:
            raise bad(name, f"give {name} once")
        out[name] = value
    return out


def report_type(types: ReportTypes | None, code: str | None) -> ReportType:
    """The report type named by its code; the default type when none is named."""
    if types is None:
        raise ApiError(404, "no_report_types", "this deployment has no report types configured")
    if code is None:
        return types.default
    found = types.get(code)
    if found is None:
        known = ", ".join(t.code for t in types)
        raise bad("type", f"no report type {code!r}; the types are: {known}")
    return found


def period(rt: ReportType, key: str | None, today: date) -> Period:
    """The period a key names, of the type's kind and already begun; the current one if none."""
    current = periods.current_period(rt, today)
    if key is None:
        return current
    example = _EXAMPLES[rt.period]
    try:
        found = periods.parse_key(key)
    except ValueError:
        msg = f"{key!r} is not a period; {rt.code} is by {rt.period}, e.g. {example}"
        raise bad("period", msg) from None
    if found.start.year < FIRST_YEAR:
        raise bad("period", f"periods start in {FIRST_YEAR}; e.g. {example}")
    if found.kind != rt.period:
        raise bad("period", f"{rt.code} reports are by {rt.period}: write e.g. {example}")
    if found.start > current.start:
        raise bad("period", f"{key} has not begun; the current period is {current.key}")
    return found


def flag(q: dict[str, str], name: str, *, default: bool = False) -> bool:
    value = q.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise bad(name, f"{name} is true or false")


def day(q: dict[str, str], name: str) -> date | None:
    value = q.get(name)
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise bad(name, f"{name} is a date written as 2026-11-01") from None
