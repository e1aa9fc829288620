"""Which report a `/sua` or `/huybaocao` means, correcting and retracting it; `/cuatoi`'s list.

The report meant, first rule that applies:
1. a number first (`/sua 12 chet 2`, `/huybaocao 12`; see numbering.py): that report, when the
   sender stored a version of it or is an officer over its village;
2. a reply: to the bot's echo of a report, that report (`echoes.py`; only where the platform says
   which message a reply quotes: Telegram does, Zalo does not); to the report message itself,
   that report;
3. `/sua` with field names: among the sender's recent reports (those `/cuatoi` lists), the
   newest of the one type that has those fields (`/sua chet 2` after a population report and a
   family-planning one means the population report); a type named first (`/sua danso chet 2`)
   means its newest; fields of several types ask for the number;
4. `/huybaocao` alone: the sender's last report.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import Incoming
from bot.core.models import Report, Role
from bot.features.reports.echoes import Echoes
from bot.features.reports.grammar.parse import ParsedReport
from bot.features.reports.grammar.tokens import segments
from bot.features.reports.grammar.values import render
from bot.features.reports.numbering import Listed, Mine, recent, split_number
from bot.features.reports.previous import base_report, carried
from bot.features.reports.saved import Saved, stored_values
from bot.features.reports.types import ReportType

if TYPE_CHECKING:
    from bot.features.reports.service import Reports

MINE_SHOWN = 20
# Refusals of the grammar that say a field is not one of the type's: that type does not fit.
_FIELD_REFUSALS = frozenset({"report.other_type", "report.unknown_field", "report.unknown_type"})


class Corrections:
    """Finding the report meant, correcting it, retracting it; every version is kept."""

    def __init__(self, reports: Reports) -> None:
        self.reports = reports
        self.echoes = Echoes(reports.store.meta)

    # --- the person's recent reports ------------------------------------------------------------

    def recent(self, actor: Actor) -> list[Report]:
        """The actor's recent reports that count, newest first (numbering.recent)."""
        return recent(self.reports, actor)

    def mine(self, actor: Actor) -> Mine:
        """`/cuatoi`: the recent reports (the newest MINE_SHOWN), each with when it was sent."""
        r = self.reports
        listed = self.recent(actor)
        items = []
        for report in listed[:MINE_SHOWN]:
            first = r.store.reports.versions(report.id)[0]
            items.append(Listed(self._saved(report), first.received_at.astimezone(r.tz)))
        example = self.fix_example(listed[0]) if listed else ""
        return Mine(tuple(items), len(listed), example, r.today())

    # --- correcting and retracting --------------------------------------------------------------

    def correct(self, actor: Actor, inc: Incoming, text: str) -> Saved:
        """`/sua [n] field value …`: new values for the report meant, the others kept."""
        number, rest = split_number(text)
        if number is not None:
            old = self.numbered(actor, number)
        else:
            old = self._replied(actor, inc) or self._by_fields(actor, rest)
        return self._apply(actor, old, rest)

    def correct_edited(self, actor: Actor, source: str, text: str) -> Saved:
        """The report message itself edited (Telegram): its values become the edited ones."""
        return self._apply(actor, self._by_source(actor, source), text, whole=True)

    def retract(self, actor: Actor, inc: Incoming, text: str) -> Saved:
        """`/huybaocao [n]`: the report meant stops counting; its history stays."""
        number, rest = split_number(text)
        if rest.strip():
            raise UserError("report.undo_usage", example=self._undo_example(actor))
        if number is not None:
            old = self.numbered(actor, number, retracting=True)
        else:
            old = self._replied(actor, inc, retracting=True) or self._last(actor)
        person = actor.person
        assert person is not None  # numbered() and _last() refuse without one
        new = replace(old, version=old.version + 1, retracted=True, reporter=person.id,
                      received_at=self.reports.clock.now())  # fmt: skip
        return self._saved(self.reports.record(new))

    # --- which report ---------------------------------------------------------------------------

    def numbered(self, actor: Actor, number: int, *, retracting: bool = False) -> Report:
        """Report `number`, if the actor may change it and it still counts."""
        report = self.reports.store.reports.by_number(number)
        if report is None:
            raise UserError("report.number_unknown", number=number)
        if not self._may_change(actor, report):
            raise Forbidden("report.number_not_yours", number=number)
        if report.retracted:
            if retracting:
                raise UserError("report.already_retracted", number=number)
            rt = self._type(report)
            raise UserError("report.number_retracted", number=number,
                            example=self.reports.example(rt.code))  # fmt: skip
        return report

    def _may_change(self, actor: Actor, report: Report) -> bool:
        person = actor.person
        if person is None:
            return False
        if actor.covers(self.reports.areas, report.area, (Role.OFFICER,)):
            return True
        return any(v.reporter == person.id for v in self.reports.store.reports.versions(report.id))

    def _replied(self, actor: Actor, inc: Incoming, *, retracting: bool = False) -> Report | None:
        """The report a reply means: the one the quoted echo showed, or the quoted report
        message's; None when the reply says nothing (not to an echo, or too old an echo)."""
        reply = inc.reply_to
        if reply is None:
            return None
        if reply.from_bot:
            number = self.echoes.number_of(inc.chat.key, reply.message_id)
            return None if number is None else self.numbered(actor, number, retracting=retracting)
        report = self._by_source(actor, f"{inc.chat.key}:{reply.message_id}")
        if report.retracted and retracting:
            raise UserError("report.already_retracted", number=report.number)
        return report

    def _by_source(self, actor: Actor, source: str) -> Report:
        """The report a person's message carried; its author's, or in the officer's area."""
        r = self.reports
        if actor.person is not None:
            for report in r.store.reports.latest_by_reporter(actor.person.id, limit=50):
                if report.source_message == source:
                    return report
        today = r.today()
        for area in actor.areas_of((Role.OFFICER,)):
            villages = [v.code for v in r.areas.villages_under(area)]
            for rt in r.types:
                period = periods.current_period(rt, today).key
                for report in r.store.reports.in_period(rt.code, period, areas=villages):
                    if report.source_message == source:
                        return report
        raise UserError("report.not_found_here")

    def _last(self, actor: Actor) -> Report:
        """The actor's most recent report that still counts."""
        if actor.person is not None:
            for report in self.reports.store.reports.latest_by_reporter(actor.person.id, limit=10):
                if not report.retracted:
                    return report
        raise UserError("report.nothing_to_fix")

    def _by_fields(self, actor: Actor, text: str) -> Report:
        """The recent report whose type has the fields named (or the type named first)."""
        recent = self.recent(actor)
        if not recent:
            raise UserError("report.nothing_to_fix")
        named = self.named_type(text)
        if named is not None:
            same = [x for x in recent if x.type == named.code]
            if not same:
                raise UserError("report.fix_no_recent", type=named.name_vi)
            return same[0]
        if not text.strip():
            return recent[0]  # "/sua" alone: the form is shown for the newest
        kinds = list(dict.fromkeys(x.type for x in recent))
        fits = [code for code in kinds if self._fits(code, text)]
        if len(fits) == 1:
            return next(x for x in recent if x.type == fits[0])
        if fits:
            newest = {code: next(x for x in recent if x.type == code) for code in fits}
            choices = "\n".join(
                f"• {x.number}: {self._type(x).name_vi}, {x.area_name or x.area}"
                for x in newest.values()
            )
            first = next(iter(newest.values()))
            raise UserError("report.fix_which", choices=choices,
                            example=f"/sua {first.number} {text.strip()}")  # fmt: skip
        for rt in self.reports.types:
            if rt.code not in kinds and self._fits(rt.code, text):
                raise UserError("report.fix_no_recent", type=rt.name_vi)
        self._read(recent[0], f"{recent[0].type} {text}")  # the grammar's refusal, for /sua
        return recent[0]  # not reached: no type fits, so the newest's reading refused

    def _fits(self, code: str, text: str) -> bool:
        """Whether every field named in `text` is one of type `code`'s (values aside)."""
        try:
            self.reports.parse(f"{code} {text}")
        except UserError as exc:
            return exc.key not in _FIELD_REFUSALS
        return True

    def named_type(self, text: str) -> ReportType | None:
        """The report type named first in `text`, as the grammar reads it (a longer field
        name starting there wins), or None."""
        pieces = segments(text)
        if not pieces:
            return None
        words = pieces[0].words(0)
        types = self.reports.types
        found = types.type_index.match(words)
        if found is None:
            return None
        longest = max(
            (f[1] for rt in types if (f := types.fields_of(rt.code).match(words))), default=0
        )
        return None if longest > found[1] else found[0]

    # --- applying a correction ------------------------------------------------------------------

    def _apply(self, actor: Actor, old: Report, text: str, *, whole: bool = False) -> Saved:
        rt = self._type(old)
        if old.retracted:  # (a number or an echo is refused before; an edited message here)
            raise UserError("report.number_retracted", number=old.number,
                            example=self.reports.example(rt.code))  # fmt: skip
        if whole:
            parsed = self.reports.parse(text)
        else:
            named = self.named_type(text)
            if named is not None and named.code != rt.code:
                raise UserError("report.fix_wrong_type", number=old.number, type=rt.name_vi,
                                named=named.name_vi, example=self.fix_example(old))  # fmt: skip
            parsed = self._read(old, text if named is not None else f"{rt.code} {text}")
        if parsed.previous and not whole:
            raise UserError("report.previous_in_fix", number=old.number,
                            example=render(rt, {}, types=self.reports.types, previous=True),
                            fix=self.fix_example(old))  # fmt: skip
        if not parsed.values and not parsed.previous:
            raise UserError("report.fix_usage", example=self.fix_example(old))
        kept = {} if whole else {k: v for k, v in old.values.items() if k != "ngay"}
        if parsed.previous:  # an edited "như kỳ trước" message: carried over again
            base = base_report(self.reports.store.reports, rt, old.area, old.period)
            kept = carried(rt, (base or old).values)
        merged = {**kept, **stored_values(parsed.values)}
        # Read the merged values through the grammar again, so the rules hold on the whole.
        pairs = ", ".join(f"{code}: {_shown(code, value, rt)}" for code, value in merged.items())
        checked = stored_values(self._read(old, f"{rt.code} {pairs}").values)
        if "ngay" in old.values:
            checked["ngay"] = old.values["ngay"]
        person = actor.person
        if person is None:
            raise UserError("report.nothing_to_fix")
        new = replace(old, values=checked, version=old.version + 1, reporter=person.id,
                      received_at=self.reports.clock.now())  # fmt: skip
        return self._saved(self.reports.record(new), replaced=True)

    def _read(self, old: Report, text: str) -> ParsedReport:
        """The grammar's reading of a correction; its refusals show `/sua <n>` forms."""
        try:
            return self.reports.parse(text)
        except UserError as exc:
            if exc.key == "report.other_type":
                raise UserError("report.fix_not_in_report", number=old.number,
                                type=self._type(old).name_vi, field=exc.params.get("field", ""),
                                example=self.fix_example(old)) from None  # fmt: skip
            head = f"/sua {old.number}"
            params = {
                k: v.replace("/baocao", head) if isinstance(v, str) else v
                for k, v in exc.params.items()
            }
            raise type(exc)(exc.key, **params) from None

    def fix_example(self, report: Report) -> str:
        """A correction of `report` to copy: `/sua 12 chết 2`."""
        rt = self._type(report)
        known = {spec.code: spec for spec in rt.fields}
        for code, value in report.values.items():
            spec = known.get(code)
            if spec is not None and spec.kind == "number" and isinstance(value, int):
                new = value + 1 if value < spec.max else value - 1
                return f"/sua {report.number} {spec.name_vi.lower()} {new}"
        return self.reports.example(rt.code).replace("/baocao", f"/sua {report.number}", 1)

    def _undo_example(self, actor: Actor) -> str:
        recent = self.recent(actor)
        return f"/huybaocao {recent[0].number if recent else 12}"

    def _type(self, report: Report) -> ReportType:
        rt = self.reports.types.get(report.type)
        if rt is None:  # the type left the config since: its reports are kept, not changed
            raise UserError("report.type_gone")
        return rt

    def _saved(self, report: Report, *, replaced: bool = False) -> Saved:
        return Saved(report, self._type(report), self.reports.areas.get(report.area), replaced)


def _shown(code: str, value: Any, rt: ReportType) -> str:
    """A stored value written back as the grammar reads it."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if rt.field(code).kind == "date" and isinstance(value, str):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)
