"""Field reports: submit, correct, retract, and the views of one's own and missing reports."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import Incoming
from bot.core.models import Area, Person, Report, Role
from bot.core.places import resolve
from bot.core.text import fold
from bot.features.reports.grammar import ParsedReport, parse_report
from bot.features.reports.types import ReportType, ReportTypes
from bot.features.reports.values import example, other_value

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.store.base import Store

log = logging.getLogger(__name__)

REPORTERS = (Role.COLLABORATOR, Role.OFFICER)
DUPLICATE_WINDOW = timedelta(minutes=10)


class MaybeDuplicate(UserError):
    """The same event from the same person for the same village, moments ago: ask first."""


@dataclass(frozen=True, slots=True)
class Saved:
    """A stored report version with what the echo needs."""

    report: Report
    type: ReportType
    village: Area
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class MissingVillage:
    """A village with no report this period, and who should have sent it."""

    village: Area
    collaborators: tuple[Person, ...]


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


class Reports:
    """The rules of field reports; storage through the ReportsRepo only."""

    def __init__(
        self,
        *,
        store: Store,
        areas: AreaTree,
        types: ReportTypes | None,
        clock: Clock,
        tz: ZoneInfo,
    ) -> None:
        self.store = store
        self.areas = areas
        self._types = types
        self.clock = clock
        self.tz = tz

    @property
    def types(self) -> ReportTypes:
        """The configured report types; a deployment without any says so to whoever asks."""
        if self._types is None:
            raise UserError("report.none_configured")
        return self._types

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def example(self, code: str | None = None) -> str:
        rt = self.types.get(code) if code else self.types.default
        return example(rt, types=self.types, today=self.today())

    # --- who reports for which village ------------------------------------------------------

    def own_villages(self, actor: Actor) -> list[Area]:
        codes = [g.area for g in actor.grants if g.role is Role.COLLABORATOR]
        return [self.areas.get(c) for c in dict.fromkeys(codes) if c in self.areas]

    def village_for(self, actor: Actor, text: str | None, *, code: str) -> Area:
        """The village a report is for: named (and allowed), or the collaborator's only one."""
        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        if text:
            village = resolve(self.areas, text, kinds=("village",))
            if actor.covers(self.areas, village.code, (Role.OFFICER,)):
                return village
            if village.code in {v.code for v in self.own_villages(actor)}:
                return village
            raise Forbidden("report.not_your_village", village=village.name)
        own = self.own_villages(actor)
        if len(own) == 1:
            return own[0]
        if not own and not actor.has_any((Role.OFFICER,)):
            raise Forbidden("report.not_collaborator")
        names = ", ".join(v.name for v in own) if own else ""
        raise UserError(
            "report.which_village", villages=names, example=self.example(code) + " thôn …"
        )

    # --- writing ------------------------------------------------------------------------------

    def submit(
        self, actor: Actor, inc: Incoming, text: str, *, force: bool = False, photo: str = ""
    ) -> Saved:
        """Parse, check, and store one report whole (or raise with the right form)."""
        parsed = parse_report(text, types=self.types, today=self.today())
        rt = self.types.get(parsed.type)
        if not parsed.values:
            raise UserError("report.usage", example=self.example(rt.code))
        village = self.village_for(actor, parsed.village, code=rt.code)
        period = self._period(rt, parsed)
        person = actor.person
        assert person is not None  # reporters have a person record (a grant needs one)
        now = self.clock.now()
        values = _jsonable(parsed.values)
        if parsed.event_date is not None:
            values["ngay"] = parsed.event_date.isoformat()
        late = periods.is_late(rt, period, self.today())
        source = f"{inc.chat.key}:{inc.message_id}"
        again = self._from_source(person.id, source)
        if again is not None:
            # The same message handled twice (redelivered after a crash before it was marked
            # as handled): the report is stored once, the echo simply repeats.
            return Saved(again, rt, self.areas.get(again.area))
        if rt.mode == "event":
            if not force and self._recent_twin(person.id, rt.code, village.code, values, now):
                raise MaybeDuplicate("report.maybe_duplicate", village=village.name)
            report_id = f"{rt.code}:{village.code}:{period}:{secrets.token_hex(4)}"
            report = Report(report_id, rt.code, village.code, period, values, person.id,
                            inc.chat.platform, now, late=late, source_message=source,
                            photo=photo, area_name=village.name)  # fmt: skip
            self.store.reports.add(report)
            return Saved(report, rt, village)
        report_id = f"{rt.code}:{village.code}:{period}"
        previous = self.store.reports.get(report_id)
        version = previous.version + 1 if previous else 1
        report = Report(
            report_id, rt.code, village.code, period, values, person.id, inc.chat.platform, now,
            version=version, late=late, source_message=source, photo=photo,
            area_name=village.name,
        )  # fmt: skip
        self.store.reports.add(report)
        return Saved(report, rt, village, replaced=previous is not None and not previous.retracted)

    def _from_source(self, person_id: int, source: str) -> Report | None:
        if source.endswith(":"):  # no message id (a form's last answer carries its own)
            return None
        for report in self.store.reports.latest_by_reporter(person_id, limit=20):
            if report.source_message == source:
                return report
        return None

    def _period(self, rt: ReportType, parsed: ParsedReport) -> str:
        today = self.today()
        if parsed.period is not None:
            period = parsed.period
        elif parsed.event_date is not None:
            period = periods.period_of(rt.period, parsed.event_date).key
        else:
            period = periods.current_period(rt, today).key
        if not periods.accepts(rt, period, today):
            raise UserError("report.closed", period=periods.describe(period, "vi"))
        return period

    def _recent_twin(
        self, person: int, type_: str, area: str, values: dict[str, Any], now: datetime
    ) -> bool:
        for report in self.store.reports.latest_by_reporter(person, limit=5):
            if (report.type, report.area, report.values, report.retracted) == (
                type_,
                area,
                values,
                False,
            ) and now - report.received_at <= DUPLICATE_WINDOW:
                return True
        return False

    def last_of(self, actor: Actor) -> Report:
        """The actor's most recent report that still counts."""
        if actor.person is None:
            raise UserError("report.nothing_to_fix")
        for report in self.store.reports.latest_by_reporter(actor.person.id, limit=10):
            if not report.retracted:
                return report
        raise UserError("report.nothing_to_fix")

    def by_source(self, actor: Actor, source: str) -> Report:
        """The report a message (replied to, or edited) carried; its author's or in my area."""
        if actor.person is not None:
            for report in self.store.reports.latest_by_reporter(actor.person.id, limit=50):
                if report.source_message == source:
                    return report
        today = self.today()
        for area in actor.areas_of((Role.OFFICER,)):
            villages = [v.code for v in self.areas.villages_under(area)]
            for rt in self.types:
                period = periods.current_period(rt, today).key
                for report in self.store.reports.in_period(rt.code, period, areas=villages):
                    if report.source_message == source:
                        return report
        raise UserError("report.not_found_here")

    def correct(self, actor: Actor, text: str, *, source: str = "", whole: bool = False) -> Saved:
        """/sua: new values for the last report (or the one `source` names); `whole` replaces
        every value (an edited report message) instead of merging. Every version is kept."""
        old = self.by_source(actor, source) if source else self.last_of(actor)
        if old.retracted:
            raise UserError("report.nothing_to_fix")
        rt = self.types.get(old.type)
        parsed = parse_report(
            text if whole else f"{rt.code} {text}", types=self.types, today=self.today()
        )
        if not parsed.values:
            raise UserError(
                "report.fix_usage", example=self.example(rt.code).replace("/baocao", "/sua")
            )
        kept = {} if whole else {k: v for k, v in old.values.items() if k != "ngay"}
        merged = {**kept, **_jsonable(parsed.values)}
        # Re-read the merged values through the grammar, so rules hold on the whole report.
        pairs = ", ".join(
            f"{code}: {self._show(code, value, rt)}" for code, value in merged.items()
        )
        checked = _jsonable(
            parse_report(f"{rt.code} {pairs}", types=self.types, today=self.today()).values
        )
        if "ngay" in old.values:
            checked["ngay"] = old.values["ngay"]
        assert actor.person is not None
        new = replace(old, values=checked, version=old.version + 1, reporter=actor.person.id,
                      received_at=self.clock.now())  # fmt: skip
        self.store.reports.add(new)
        return Saved(new, rt, self.areas.get(old.area), replaced=True)

    @staticmethod
    def _show(code: str, value: Any, rt: ReportType) -> str:
        if isinstance(value, bool):
            return "có" if value else "không"
        if rt.field(code).kind == "date" and isinstance(value, str):
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        return str(value)

    def retract(self, actor: Actor) -> Saved:
        """/huybaocao: the last report stops counting; its history stays."""
        old = self.last_of(actor)
        assert actor.person is not None
        new = replace(old, version=old.version + 1, retracted=True, reporter=actor.person.id,
                      received_at=self.clock.now())  # fmt: skip
        self.store.reports.add(new)
        return Saved(new, self.types.get(old.type), self.areas.get(old.area))

    # --- the step-by-step form ------------------------------------------------------------------

    def parse(self, text: str) -> ParsedReport:
        return parse_report(text, types=self.types, today=self.today())

    def form_start(self, actor: Actor, parsed: ParsedReport) -> dict[str, Any]:
        """The state of a new form: type, village (checked now), period, answers so far."""
        rt = self.types.get(parsed.type)
        village = self.village_for(actor, parsed.village, code=rt.code)
        period = self._period(rt, parsed)
        return {
            "type": rt.code,
            "village": village.code,
            "period": period,
            "index": 0,
            "answers": {},
        }

    def form_value(self, type_code: str, field_code: str, answer: str) -> Any:
        """One typed answer read as that field's value, with the field's own limits."""
        rt = self.types.get(type_code)
        spec = rt.field(field_code)
        text = answer.strip()
        if spec.kind != "number":
            value = other_value(
                spec, text, today=self.today(), example=lambda: self.example(rt.code)
            )
            return value.isoformat() if isinstance(value, date) else value
        number = 0 if fold(text) in ("khong", "ko", "0") else None
        if number is None and text.isdigit():
            number = int(text)
        if number is None or not spec.min <= number <= spec.max:
            raise UserError(
                "report.bad_value", field=spec.name_vi, value=text, min=spec.min, max=spec.max,
                example=self.example(rt.code),
            )  # fmt: skip
        return number

    def form_submit(self, actor: Actor, inc: Incoming, state: dict[str, Any]) -> Saved:
        """Store the answers as one report, through the same checks as a typed report."""
        rt = self.types.get(state["type"])
        pairs = ", ".join(
            f"{code}: {self._show(code, value, rt)}" for code, value in state["answers"].items()
        )
        text = (
            f"{rt.code} {pairs} | thon {state['village']} | {self._period_words(state['period'])}"
        )
        return self.submit(actor, inc, text, force=True)

    @staticmethod
    def _period_words(key: str) -> str:
        period = periods.parse_key(key)
        if period.kind == "day":
            return f"ngay {period.start:%d/%m/%Y}"
        if period.kind == "week":
            return f"tuan {period.start.isocalendar()[1]}"
        if period.kind == "quarter":
            return f"quy {(period.start.month - 1) // 3 + 1}"
        return f"{period.start.month}/{period.start.year}"

    # --- views ----------------------------------------------------------------------------------

    def mine(self, actor: Actor) -> list[Saved]:
        """The actor's reports that count in each type's current period, newest first."""
        if actor.person is None:
            return []
        today = self.today()
        out = []
        for report in self.store.reports.latest_by_reporter(actor.person.id, limit=200):
            rt = self.types.get(report.type)
            if report.retracted or report.period != periods.current_period(rt, today).key:
                continue
            out.append(Saved(report, rt, self.areas.get(report.area)))
        return out

    def viewed_area(self, actor: Actor, text: str) -> Area:
        """The area an officer or supervisor asks about: named, or their own; checked."""
        viewers = (Role.OFFICER, Role.SUPERVISOR)
        if text.strip():
            area = resolve(self.areas, text)
        else:
            own = actor.areas_of(viewers)
            area = self.areas.get(own[0]) if own else self.areas.root
        if not actor.covers(self.areas, area.code, viewers):
            raise Forbidden("report.not_your_area", area=area.name)
        return area

    def missing(
        self, actor: Actor, area_text: str, *, type_code: str | None = None
    ) -> tuple[Area, ReportType, str, list[MissingVillage]]:
        """Villages of the area with no report of the type this period, and their collaborators."""
        area = self.viewed_area(actor, area_text)
        rt = self.types.get(type_code) if type_code else self.types.default
        period = periods.current_period(rt, self.today()).key
        rows = self.missing_in(area.code, rt, period)
        return area, rt, period, rows

    def missing_in(self, area: str, rt: ReportType, period: str) -> list[MissingVillage]:
        """Villages under `area` with no counting report of the type for the period."""
        villages = self.areas.villages_under(area)
        reported = {
            r.area
            for r in self.store.reports.in_period(
                rt.code, period, areas=[v.code for v in villages]
            )
            if not r.retracted
        }
        people = [p for p in self.store.people.all() if p.active]
        rows = []
        for village in villages:
            if village.code in reported:
                continue
            collaborators = tuple(
                p for p in people
                if any(g.role is Role.COLLABORATOR and g.area == village.code for g in p.roles)
            )  # fmt: skip
            rows.append(MissingVillage(village, collaborators))
        return rows
