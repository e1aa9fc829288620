"""A stored report version with what its echo needs, and parsed values in their stored form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core.models import Area, Report
from bot.features.reports.types import ReportType


@dataclass(frozen=True, slots=True)
class Saved:
    """A stored report version with what the echo needs."""

    report: Report
    type: ReportType
    village: Area
    replaced: bool = False
    # The previous period's report it started from ("như kỳ trước", or the form's defaults):
    # the echo then shows what changed.
    previous: Report | None = None


def stored_values(values: dict[str, Any]) -> dict[str, Any]:
    """Parsed values as a report stores them (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
