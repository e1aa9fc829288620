"""What the API answers, as pydantic models: each response is built through them and the
OpenAPI document's schemas are generated from them, so the two cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    # Keys a shared builder adds later (the webhooks' report JSON) are dropped, not leaked.
    # Every key is always sent (null when empty): the schema says so.
    model_config = ConfigDict(
        extra="ignore", frozen=True, json_schema_serialization_defaults_required=True
    )


class Problem(Out):
    code: str = Field(description="what went wrong, for programs: e.g. bad_parameter")
    message: str = Field(description="what went wrong and what would be valid, for people")
    parameter: str | None = Field(default=None, description="the query parameter at fault")


class ErrorBody(Out):
    error: Problem


class PageInfo(Out):
    limit: int
    next_cursor: str | None = Field(description="give it as `cursor` for the next page")
    next: str | None = Field(description="the next page's address; null on the last page")


class Level(Out):
    code: str
    name: str
    kind: str


class Place(Out):
    """An area with its path from the root of the tree (itself last)."""

    code: str
    name: str
    kind: str = Field(description="province, region, district, commune or village")
    path: list[Level]


class AreaItem(Place):
    parent: str | None = Field(description="the code of the area above; null for the root")
    villages: int = Field(description="villages in its subtree (itself, if a village)")


class AreaPage(Out):
    data: list[AreaItem]
    page: PageInfo


class TypeRef(Out):
    code: str
    name: str
    period: str = Field(description="day, week, month or quarter")


class PeriodInfo(Out):
    key: str = Field(description="2026-11, 2026-W45, 2026-Q4 or 2026-11-24")
    start: date
    end: date
    deadline: date = Field(description="the last day a report counts as on time")


class Report(Out):
    """The latest version of a report, as the outgoing webhooks send it."""

    id: str
    number: int = Field(description="the short number people type (/sua 12)")
    type: str
    period: str
    version: int
    late: bool
    retracted: bool
    received_at: datetime
    event_date: str | None = None
    platform: str
    area: Place
    values: dict[str, Any] = Field(
        description="field code → value; free text only with the scope text:read"
    )
    reporter: str | None = Field(description="a pseudonymous id, the same in every answer")
    reporter_name: str | None = Field(default=None, description="only with the scope people:names")


class ReportPage(Out):
    type: TypeRef
    period: PeriodInfo
    data: list[Report]
    page: PageInfo


class PersonRef(Out):
    id: str = Field(description="a pseudonymous id (p- and 20 hex digits)")
    name: str | None = Field(default=None, description="only with the scope people:names")


class MissingVillage(Out):
    code: str
    name: str
    collaborators: list[PersonRef]


class Counts(Out):
    villages: int = Field(description="villages in the area")
    expected: int = Field(description="villages with an active collaborator")
    reported: int = Field(description="expected villages with a report that counts")
    on_time: int = Field(description="of those, reported by the deadline")
    late: int = Field(description="reported, but after the deadline")
    missing: int = Field(description="expected villages with no report yet")
    uncovered: int = Field(description="villages with no active collaborator")
    returned: int = Field(
        description="reports an officer sent back, waiting for a correction (still reported)"
    )


class ReturnedReport(Out):
    number: int = Field(description="the report's short number")
    code: str = Field(description="its village")
    name: str
    returned_at: datetime
    officer: str | None = Field(description="who sent it back; only with the scope people:names")


class UnitCompleteness(Counts):
    area: Place
    missing_villages: list[MissingVillage]
    returned_reports: list[ReturnedReport]


class CompletenessPage(Out):
    area: Place
    type: TypeRef
    period: PeriodInfo
    as_of: datetime
    totals: Counts
    data: list[UnitCompleteness] = Field(description="one row per area one level below")
    page: PageInfo


class Directive(Out):
    id: int
    created_at: datetime
    deadline: datetime | None
    targets: list[str] = Field(description="the area codes it was sent to")
    text: str | None = Field(description="only with the scope text:read")
    expected: int = Field(description="people expected to acknowledge, in the areas you read")
    acknowledged: int


class DirectivePage(Out):
    data: list[Directive]
    page: PageInfo


class Acknowledger(PersonRef):
    acknowledged_at: datetime | None
    via: str | None = Field(description="button, command or typed; null if not acknowledged")


class AckRow(Out):
    area: Place
    expected: int
    acknowledged: int
    people: list[Acknowledger]


class AckPage(Out):
    directive: Directive
    data: list[AckRow] = Field(description="one row per area people were expected for")
    page: PageInfo


PAGES: tuple[type[Out], ...] = (
    AreaPage, ReportPage, CompletenessPage, DirectivePage, AckPage, ErrorBody,
)  # fmt: skip
