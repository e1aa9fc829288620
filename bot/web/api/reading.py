"""What the API reads from the bot: the area tree and reports, shaped as the webhooks shape
them (one JSON for a report, wherever it goes), people as pseudonyms unless names are allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.errors import UserError
from bot.core.models import Area
from bot.core.models import Report as StoredReport
from bot.core.periods import Period
from bot.core.pseudonyms import Pseudonyms, pseudonym_key
from bot.features.webhooks.payload import Payloads
from bot.web.api.auth import Caller
from bot.web.api.models import AreaItem, PeriodInfo, PersonRef, Place, Report, TypeRef

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.features.digest.data import DigestBuilder
    from bot.features.reports.service import Reports
    from bot.features.reports.types import ReportType, ReportTypes
    from bot.store.base import Store


@dataclass
class ApiData:
    """The services the API reads through, and the shapes it answers in."""

    store: Store
    areas: AreaTree
    reports: Reports
    builder: DigestBuilder
    _payloads: Payloads | None = field(default=None, repr=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def payloads(self) -> Payloads:
        # The pseudonym key is the store's (made at its first use): the webhooks and the API
        # give a person the same pseudonym, so a dashboard can join what both send.
        if self._payloads is None:
            pseudonyms = Pseudonyms(pseudonym_key(self.store.meta))
            self._payloads = Payloads(
                areas=self.areas, types=self.types(), pseudonyms=pseudonyms,
                tz=self.reports.tz,
            )  # fmt: skip
        return self._payloads

    def types(self) -> ReportTypes | None:
        """The configured report types; None where a deployment has none."""
        try:
            return self.reports.types
        except UserError:
            return None

    def today(self) -> date:
        return self.reports.today()

    def order(self, code: str) -> int:
        """An area's place in the tree (config order); areas gone from it come last."""
        if not self._index:
            self._index = {a.code: i for i, a in enumerate(self.areas.all())}
        return self._index.get(code, len(self.areas))

    def place(self, code: str, name: str = "") -> Place:
        return Place.model_validate(self.payloads.area(code, name))

    def person(self, caller: Caller, person_id: int) -> PersonRef:
        return PersonRef(
            id=self.payloads.pseudonyms.person(person_id) or "", name=self.name(caller, person_id)
        )

    def name(self, caller: Caller, person_id: int) -> str | None:
        """A person's name, only for a client allowed names (erased people have none)."""
        if not caller.names:
            return None
        person = self.store.people.get(person_id)
        return person.name if person is not None and person.name else None

    def codes(self, tops: list[str]) -> list[str]:
        """Every area code in the subtrees of `tops`, once, in tree order."""
        return list(dict.fromkeys(c for top in tops for c in self.areas.subtree(top)))

    # --- areas ---

    def area_list(self, tops: list[str], kind: str | None) -> list[Area]:
        return [
            self.areas.get(c)
            for c in self.codes(tops)
            if kind is None or self.areas.get(c).kind == kind
        ]

    def area_item(self, area: Area) -> AreaItem:
        villages = len(self.areas.villages_under(area.code))
        return AreaItem(
            **self.place(area.code).model_dump(), parent=area.parent or None, villages=villages
        )

    # --- reports ---

    def report_list(
        self,
        rt: ReportType,
        period: Period,
        tops: list[str],
        *,
        late: bool | None,
        retracted: bool,
    ) -> list[StoredReport]:
        found = self.store.reports.in_period(rt.code, period.key, areas=self.codes(tops))
        return [
            r for r in found if (retracted or not r.retracted) and (late is None or r.late == late)
        ]

    def report(self, caller: Caller, report: StoredReport) -> Report:
        shaped = self.payloads.report(report, free_text=caller.text)
        return Report(**shaped, reporter_name=self.name(caller, report.reporter))

    def deadline(self, rt: ReportType, period: Period) -> date:
        return periods.deadline(rt, period)

    def type_ref(self, rt: ReportType) -> TypeRef:
        return TypeRef(code=rt.code, name=rt.name_vi, period=rt.period)

    def period_info(self, period: Period, deadline: date) -> PeriodInfo:
        return PeriodInfo(key=period.key, start=period.start, end=period.end, deadline=deadline)
