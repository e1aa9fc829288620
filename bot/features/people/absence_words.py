"""Read what follows `/vang`: who (nobody: oneself), from which day to which, and a note.

/vang 02/09                        one day
/vang 01/09 05/09                  (also: tu 1/9 den 5/9, 1/9 - 5/9, 01/09/2026 05/09/2026)
/vang hom nay ngay mai             today and tomorrow
/vang 12 01/09 05/09 tap huan      an officer, for person number 12, with a note
/vang Hoa 01/09 05/09              an officer, for a collaborator of their area by name
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.errors import UserError
from bot.core.text import fold

MAX_NOTE = 100
# A date written without its year is this year's, unless that lies more than this far back:
# then it is next year's (in December, 05/01 is January coming).
_BACK = timedelta(days=31)
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?")
_LOOSE_DATE = re.compile(r"\d+[/.-]\d+(?:[/.-]\d+)?")  # looks like a date, may not be valid
_RELATIVE = {("hom", "nay"): 0, ("homnay",): 0, ("ngay", "mai"): 1, ("ngaymai",): 1}
# Words around the dates that say nothing more ("từ 1/9 đến 5/9", "ngày 2/9").
_BEFORE = frozenset({"tu", "ngay", "vang"})
_BETWEEN = frozenset({"den", "toi", "-", "–", "—", "ngay"})


@dataclass(frozen=True, slots=True)
class AbsenceWords:
    who: str  # words naming a person; "": the sender
    start: date
    end: date
    note: str = ""


def parse_absence(args: str, *, today: date) -> AbsenceWords:
    """Refusals are UserErrors whose message shows the right form."""
    tokens = args.split()
    folded = [fold(t) for t in tokens]
    first = next((i for i in range(len(tokens)) if _date_at(folded, i) is not None), None)
    if first is None:
        bad = next((t for t in tokens if _LOOSE_DATE.fullmatch(t)), None)
        raise UserError("absence.bad_date" if bad else "absence.usage", text=bad or "")
    who_words = tokens[:first]
    while who_words and fold(who_words[-1]) in _BEFORE:
        who_words.pop()
    size, start = _read(tokens, folded, first, today=today, after=None)
    rest = first + size
    while rest < len(tokens) and folded[rest] in _BETWEEN and _date_at(folded, rest) is None:
        rest += 1
    end = start
    if rest < len(tokens) and _date_at(folded, rest) is not None:
        size, end = _read(tokens, folded, rest, today=today, after=start)
        rest += size
    note = " ".join(tokens[rest:])[:MAX_NOTE].strip()
    return AbsenceWords(" ".join(who_words).strip(), start, end, note)


def _date_at(folded: list[str], i: int) -> int | None:
    """How many tokens a date starting at `i` takes (None: no date there)."""
    for words, _ in _RELATIVE.items():
        if tuple(folded[i : i + len(words)]) == words:
            return len(words)
    return 1 if _DATE.fullmatch(folded[i]) else None


def _read(
    tokens: list[str], folded: list[str], i: int, *, today: date, after: date | None
) -> tuple[int, date]:
    """The date at `i` and how many tokens it took; `after`: the first day (an end date
    without a year is the first such day not before it)."""
    for words, days in _RELATIVE.items():
        if tuple(folded[i : i + len(words)]) == words:
            return len(words), today + timedelta(days=days)
    found = _DATE.fullmatch(folded[i])
    assert found is not None  # _date_at said so
    day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return 1, _valid(full, month, day, tokens[i])
    floor = after if after is not None else today - _BACK
    for candidate in (floor.year, floor.year + 1, floor.year + 2):
        try:
            found_day = date(candidate, month, day)
        except ValueError:
            continue  # 29/02 in a year without it: the next year that has it
        if found_day >= floor:
            return 1, found_day
    raise UserError("absence.bad_date", text=tokens[i])


def _valid(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UserError("absence.bad_date", text=text) from None
