"""Field reports: submit, and the view of missing reports (correcting: `corrections.py`)."""

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
from bot.core.events import Events, EventSink, ReportEvent, report_event_type
from bot.core.messages import Incoming
from bot.core.models import Area, Person, Report, Role
from bot.core.places import resolve
from bot.features.reports.corrections import Corrections
from bot.features.reports.form import Form, new_form
from bot.features.reports.grammar.parse import ParsedReport, parse_report
from bot.features.reports.grammar.values import example, render
from bot.features.reports.grammar.villages import covered, listed, named_village
from bot.features.reports.previous import base_report, carried, from_previous
from bot.features.reports.saved import Saved, stored_values
from bot.features.reports.types import ReportType, ReportTypes

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
class MissingVillage:
    """A village with no report this period, and who should have sent it."""

    village: Area
    collaborators: tuple[Person, ...]


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
        events: EventSink | None = None,
    ) -> None:
        self.store = store
        # Told of every version stored (the outgoing webhooks listen): bot/core/events.py.
        self.events: EventSink = events if events is not None else Events()
        self.areas = areas
        self._types = types
        self.clock = clock
        self.tz = tz
        # /sua, /huybaocao, /cuatoi: which report is meant, by number, reply or field names.
        self.corrections = Corrections(self)

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

    def village_for(
        self, actor: Actor, text: str | None, *, code: str, parsed: ParsedReport | None = None
    ) -> Area:
        """The village a report is for: named (and allowed), or the collaborator's only one.
        A refusal lists the villages the sender covers; its example is `parsed` (the report
        as sent) with one of them."""

        def shown(village: Area | None) -> str:
            return self._example_at(code, parsed, village)

        if actor.anonymous:
            raise Forbidden("anonymous.refused")
        if text:
            return named_village(self.areas, actor, text, example=shown)
        own = self.own_villages(actor)
        if len(own) == 1:
            return own[0]
        if not own and not actor.has_any((Role.OFFICER,)):
            raise Forbidden("report.not_collaborator")
        mine = own or covered(self.areas, actor)
        raise UserError(
            "report.which_village",
            villages=listed(self.areas, mine),
            example=shown(mine[0] if mine else None),
        )

    def _example_at(self, code: str, parsed: ParsedReport | None, village: Area | None) -> str:
        """The report as sent (or the type's example) for `village`: the message to copy."""
        rt = self.types.get(code)
        name = village.name if village is not None else None
        if parsed is None or not parsed.values:
            return example(rt, types=self.types, today=self.today(), village=name)
        return render(rt, parsed.values, types=self.types, period=parsed.period, village=name,
                      event_date=parsed.event_date)  # fmt: skip

    # --- writing ------------------------------------------------------------------------------

    def submit(
        self, actor: Actor, inc: Incoming, text: str, *, force: bool = False, photo: str = ""
    ) -> Saved:
        """Parse, check, and store one report whole (or raise with the right form)."""
        parsed = parse_report(text, types=self.types, today=self.today())
        rt = self.types.get(parsed.type)
        if not parsed.values and not parsed.previous:
            raise UserError("report.usage", example=self.example(rt.code))
        village = self.village_for(actor, parsed.village, code=rt.code, parsed=parsed)
        period = self._period(rt, parsed)
        values = stored_values(parsed.values)
        if parsed.event_date is not None:
            values["ngay"] = parsed.event_date.isoformat()
        if not parsed.previous:
            return self._store(actor, inc, rt, village, period, values, force=force, photo=photo)
        # "như kỳ trước": the previous period's values, changed where fields are named.
        base, values = from_previous(self.store.reports, rt, village, period, values,
                                     written=(parsed.period, parsed.village), types=self.types,
                                     today=self.today())  # fmt: skip
        saved = self._store(actor, inc, rt, village, period, values, photo=photo)
        return replace(saved, previous=base)

    def _store(
        self, actor: Actor, inc: Incoming, rt: ReportType, village: Area, period: str,
        values: dict[str, Any], *, force: bool = False, photo: str = "",
    ) -> Saved:  # fmt: skip
        """Store checked values as one report version (a typed report, or a form's answers)."""
        person = actor.person
        assert person is not None  # reporters have a person record (a grant needs one)
        now = self.clock.now()
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
            report = self.record(report)  # as stored: with its number
            return Saved(report, rt, village)
        report_id = f"{rt.code}:{village.code}:{period}"
        previous = self.store.reports.get(report_id)
        version = previous.version + 1 if previous else 1
        report = Report(
            report_id, rt.code, village.code, period, values, person.id, inc.chat.platform, now,
            version=version, late=late, source_message=source, photo=photo,
            area_name=village.name,
        )  # fmt: skip
        report = self.record(report)  # as stored: with its number
        return Saved(report, rt, village, replaced=previous is not None and not previous.retracted)

    def record(self, report: Report) -> Report:
        """Store one version of a report (new, corrected or retracted) and announce it in the
        same commit; every version a person makes goes through here. Returns it as stored."""
        with self.store.atomic():
            previous = self.store.reports.get(report.id)
            stored = self.store.reports.add(report)
            kind = report_event_type(stored, previous)
            self.events.emit(ReportEvent(kind, stored, self.clock.now(), actor=stored.reporter))
        return stored

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

    # --- the step-by-step form ------------------------------------------------------------------

    def parse(self, text: str) -> ParsedReport:
        return parse_report(text, types=self.types, today=self.today())

    def form_start(self, actor: Actor, parsed: ParsedReport) -> dict[str, Any]:
        """The state of a new form: type, village (checked now), period, no answers yet."""
        rt = self.types.get(parsed.type)
        village = self.village_for(actor, parsed.village, code=rt.code)
        period = self._period(rt, parsed)
        state = new_form(rt.code, village.code, period)
        base = base_report(self.store.reports, rt, village.code, period)  # period mode only
        if base is not None:  # each question offers the previous period's answer to keep
            state.update(previous=carried(rt, base.values), since=base.period)
        return state

    def form(self, state: dict[str, Any]) -> Form:
        """A form in progress, from the state its prompt keeps."""
        rt = self.types.get(state["type"])
        if rt is None:  # the type left the config while the form was open
            raise UserError("report.form_type_gone")
        return Form(rt, state)

    def form_submit(self, actor: Actor, inc: Incoming, form: Form) -> Saved:
        """Store a finished form's answers as one report, as given (no re-reading as text):
        its rules, village and period are checked again; a refusal leaves the form as it is."""
        if not form.ready():
            raise UserError("report.form_incomplete")
        rt = form.rt
        village = self.village_for(actor, form.village, code=rt.code)
        if not periods.accepts(rt, form.period, self.today()):
            raise UserError("report.closed", period=periods.describe(form.period, "vi"))
        saved = self._store(actor, inc, rt, village, form.period, form.values(), force=True)
        if not form.previous:
            return saved
        return replace(saved, previous=base_report(self.store.reports, rt, village.code,
                                                   form.period))  # fmt: skip

    # --- views ----------------------------------------------------------------------------------

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
