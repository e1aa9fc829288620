"""What the review says to people it is not answering: the collaborator whose report came back
(with the one-line correction to send), the officer told of a correction or of a change to a
period they checked. Replies to the officer's own commands are in replies.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.core.messages import Button
from bot.core.models import Report
from bot.core.periods import describe
from bot.core.text import fold
from bot.features.reports.text import value_text
from bot.features.reports.types import FieldSpec, ReportType, ReportTypes

if TYPE_CHECKING:
    from bot.core.i18n import Translator

EVENT_DATE = "ngay"  # an event report's day, among its values; not a field of its own
SHORT_NAME = 4  # a one-word field name shorter than this ("đi", "đến") is too common in prose


class ReviewText:
    """The notices of the review, in the reader's language."""

    def __init__(self, translate: Translator, tz: tzinfo) -> None:
        self.translate = translate
        self.tz = tz

    def t(self, lang: str, key: str, /, **params: Any) -> str:
        return self.translate(lang, key, **params)

    def about(self, report: Report, rt: ReportType, village: str, lang: str) -> dict[str, Any]:
        """The parameters that name a report in every message: number, type, village, period."""
        return {
            "number": report.number, "type": rt.name(lang), "village": village,
            "period": describe(report.period, lang),
        }  # fmt: skip

    def when(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H:%M %d/%m}"

    def values(self, report: Report, rt: ReportType, lang: str) -> str:
        """The report's values, a line each, as its echo shows them."""
        known = {spec.code for spec in rt.fields}
        lines = []
        for code, value in report.values.items():
            if code == EVENT_DATE:
                name = self.t(lang, "report.event_day")
            else:
                name = rt.field(code).name(lang) if code in known else code
            lines.append(f"• {name}: {value_text(value, lang)}")
        return "\n".join(lines)

    def changes(self, old: Report | None, new: Report, rt: ReportType, lang: str) -> str:
        """What a new version changed, a line each (`• Chết: 1 → 2`); all values if no old."""
        if old is None:
            return self.values(new, rt, lang)
        known = {spec.code for spec in rt.fields}
        lines = []
        for code in dict.fromkeys([*old.values, *new.values]):
            before, after = old.values.get(code), new.values.get(code)
            if before == after:
                continue
            name = rt.field(code).name(lang) if code in known else code
            shown = [value_text(v, lang) if v is not None else "–" for v in (before, after)]
            lines.append(f"• {name}: {shown[0]} → {shown[1]}")
        return "\n".join(lines) or self.t(lang, "review.no_change")

    # --- to the collaborator ----------------------------------------------------------------

    def returned(
        self, lang: str, report: Report, rt: ReportType, *, village: str, officer: str,
        reason: str, fix: str, name: str = "",
    ) -> str:  # fmt: skip
        """The report sent back: who, why, what it says, and the correction to send. `name`:
        whom it is for, when it goes to a group."""
        text = self.t(
            lang, "review.returned_notice", officer=officer, reason=reason, fix=fix,
            values=self.values(report, rt, lang), **self.about(report, rt, village, lang),
        )  # fmt: skip
        return self.t(lang, "review.for_person", name=name) + "\n" + text if name else text

    def accepted(
        self, lang: str, report: Report, rt: ReportType, *, village: str, officer: str
    ) -> str:
        return self.t(lang, "review.accepted_notice", officer=officer,
                      **self.about(report, rt, village, lang))  # fmt: skip

    # --- to the officer ------------------------------------------------------------------------

    def corrected(
        self, lang: str, old: Report | None, new: Report, rt: ReportType, *, village: str,
        by: str,
    ) -> str:  # fmt: skip
        """The officer's returned report was corrected (or retracted)."""
        about = self.about(new, rt, village, lang)
        if new.retracted:
            return self.t(lang, "review.retracted_notice", name=by, **about)
        return self.t(lang, "review.corrected_notice", name=by, version=new.version,
                      changes=self.changes(old, new, rt, lang), **about)  # fmt: skip

    def changed_after_check(
        self, lang: str, old: Report | None, new: Report, rt: ReportType, *, village: str,
        by: str, checked_at: datetime,
    ) -> str:  # fmt: skip
        """A report of a period the officer checked was sent, corrected or retracted since."""
        about = self.about(new, rt, village, lang)
        when = self.when(checked_at)
        if new.retracted:
            return self.t(lang, "review.check_retracted", name=by, when=when, **about)
        if old is None:
            return self.t(lang, "review.check_new", name=by, when=when,
                          values=self.values(new, rt, lang), **about)  # fmt: skip
        return self.t(lang, "review.check_corrected", name=by, when=when, version=new.version,
                      changes=self.changes(old, new, rt, lang), **about)  # fmt: skip

    def return_button(self, lang: str, number: int) -> Button:
        """«Trả lại» under what an officer reads of a report; typed: `/tralai <n>`."""
        return return_button(self.t(lang, "review.return_button"), number)


def return_button(label: str, number: int) -> Button:
    return Button(label, f"tralai:{number}", typed=f"/tralai {number}")


def fix_line(report: Report, rt: ReportType, types: ReportTypes, reason: str) -> str:
    """The correction to send, with the report's real fields and values as they stand (the
    collaborator changes what is wrong): the fields the reason names, else every field given.
    `/sua 12 chết 1`."""
    given = [spec for spec in rt.fields if spec.code in report.values]
    named = named_fields(types, rt, reason, {spec.code for spec in given})
    chosen = [spec for spec in given if spec.code in named] or given
    pairs = ", ".join(_pair(spec, report.values[spec.code]) for spec in chosen)
    return f"/sua {report.number} {pairs}".rstrip()


def named_fields(types: ReportTypes, rt: ReportType, text: str, among: set[str]) -> set[str]:
    """The codes of the fields (of `among`) that `text` names, by their names and aliases."""
    words = re.findall(r"\w+", fold(text))
    index = types.fields_of(rt.code)
    found: set[str] = set()
    i = 0
    while i < len(words):
        match = index.match(words[i:])
        if match is None:
            i += 1
            continue
        spec, size = match
        if spec.code in among and (size > 1 or len(words[i]) >= SHORT_NAME):
            found.add(spec.code)
        i += size
    return found


def _pair(spec: FieldSpec, value: object) -> str:
    name = spec.name_vi.lower()
    if spec.kind == "number":
        return f"{name} {value}"
    return f"{name}: {value_text(value, 'vi')}"


def listed(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)
