"""Reminders that config.yaml defines for the whole deployment (kept in step with the store)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from bot.config.base import Problem, Section

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ReminderConfig(Section):
    """One deployment-wide reminder; `name` keeps it the same reminder across edits."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    kind: Literal["monthly", "weekly", "daily", "deadline", "campaign", "once"]
    at: time = time(8, 0)
    text: str = ""
    areas: tuple[str, ...] = ()  # area codes; empty: the whole tree
    day_of_month: int | None = Field(default=None, ge=1, le=31)
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None
    report_type: str = ""  # deadline: empty means the default report type
    days_before: int = Field(default=1, ge=0, le=60)
    on_date: date | None = None
    offsets: tuple[int, ...] = (-7, -1, 0)

    @model_validator(mode="after")
    def _complete(self) -> ReminderConfig:
        needs = {"monthly": "day_of_month", "weekly": "weekday", "campaign": "on_date",
                 "once": "on_date"}  # fmt: skip
        field = needs.get(self.kind)
        if field and getattr(self, field) is None:
            msg = f"a {self.kind} reminder needs `{field}`"
            raise ValueError(msg)
        if self.kind != "deadline" and not self.text.strip():
            msg = f"a {self.kind} reminder needs `text` (what it says)"
            raise ValueError(msg)
        return self


def reminder_problems(
    raw: dict[str, Any], codes: Mapping[str, str], types: set[str]
) -> list[Problem]:
    """Areas and report types that do not exist, and names used twice."""
    problems: list[Problem] = []
    entries = raw.get("reminders")
    seen: set[str] = set()
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        try:
            rem = ReminderConfig.model_validate(entry)
        except ValidationError:
            continue  # the main validation reports it
        path = f"reminders[{index}]"
        if rem.name in seen:
            problems.append(Problem(f"{path}.name", f"the name {rem.name!r} is used twice"))
        seen.add(rem.name)
        for code in rem.areas:
            if codes and code not in codes:
                problems.append(Problem(f"{path}.areas", f"no area has the code {code!r}"))
        if rem.report_type and types and rem.report_type not in types:
            known = ", ".join(sorted(types))
            problems.append(
                Problem(f"{path}.report_type", f"no report type {rem.report_type!r} ({known})")
            )
    return problems
