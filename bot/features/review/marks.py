"""The review's marks as other features read them (the digest, its spreadsheet): which reports
stood returned, waiting for a correction, at a given moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import Report
from bot.core.review_records import ReportReturn

if TYPE_CHECKING:
    from bot.store.base import Store


def returned_as_of(
    store: Store, reports: Iterable[Report], moment: datetime
) -> list[tuple[Report, ReportReturn]]:
    """The reports among `reports` that stood returned at `moment` (returned by then, and not
    yet corrected, accepted or retracted), each with its mark; in the order given."""
    marks = {m.number: m for m in store.report_returns.all() if m.open_at(moment)}
    return [(r, marks[r.number]) for r in reports if r.number in marks]
