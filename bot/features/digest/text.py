"""The daily digest in words (Vietnamese or English, from the catalogs), short enough to read."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.core.periods import describe
from bot.features.digest.data import (
    RECENT_DAYS,
    DigestData,
    DirectiveRow,
    DirectiveSummary,
    MissingRow,
    TypeDigest,
    percent,
)

if TYPE_CHECKING:
    from bot.core.i18n import Translator

MAX_MISSING = 20  # villages listed by name; /thieu lists them all
MAX_LATE = 10
MAX_OVERDUE = 8
MAX_RUMOURS = 8
EXCERPT = 40  # characters of a directive's text


class DigestText:
    """Renders DigestData; sections are separated by blank lines so splits fall between them."""

    def __init__(self, translate: Translator, tz: tzinfo) -> None:
        self.translate = translate
        self.tz = tz

    def t(self, lang: str, key: str, /, **params: Any) -> str:
        return self.translate(lang, key, **params)

    def render(self, data: DigestData, lang: str) -> str:
        title = self.t(lang, "digest.title", area=data.area.name, date=f"{data.on:%d/%m/%Y}")
        sections = [title]
        for part in data.types:
            sections += self._type(part, data, lang)
        sections.append(self._directives(data.directives, lang))
        sections.append(self._questions(data, lang))
        sections.append(self._rumours(data, lang))
        if any(not c.reachable for part in data.types for m in part.missing
               for c in m.collaborators):  # fmt: skip
            sections.append(self.t(lang, "report.unreachable_mark"))
        return "\n\n".join(s for s in sections if s)

    # --- reports ---------------------------------------------------------------------------------

    def _type(self, part: TypeDigest, data: DigestData, lang: str) -> list[str]:
        head = [
            self.t(lang, "digest.type", type=part.type.name(lang),
                   period=describe(part.period, lang), deadline=f"{part.deadline:%d/%m/%Y}"),
            self._completeness(part, lang),
        ]  # fmt: skip
        for unit in part.units if len(part.units) > 1 else ():
            if unit.expected == 0:
                head.append(f"• {unit.area.name}: {self.t(lang, 'report.no_collaborator')}")
                continue
            line = f"• {unit.area.name}: {unit.reported}/{unit.expected}"
            if unit.on_time < unit.reported:
                line += self.t(lang, "digest.late_count", count=unit.reported - unit.on_time)
            if unit.returned:
                line += self.t(lang, "digest.returned_count", count=unit.returned)
            head.append(line)
        head.append(
            self.t(lang, "digest.previous", period=describe(part.previous, lang),
                   reported=part.previous_reported, expected=part.expected,
                   on_time=part.previous_on_time)
        )  # fmt: skip
        if part.uncovered:
            head.append(self.t(lang, "digest.uncovered", count=part.uncovered))
        return ["\n".join(head), self._totals(part, lang), self._missing(part, data, lang),
                self._returned(part, data, lang), self._late(part, data, lang)]  # fmt: skip

    def _completeness(self, part: TypeDigest, lang: str) -> str:
        share = percent(part.reported, part.expected)
        if share is None:
            return self.t(lang, "digest.nobody_expected")
        text = self.t(
            lang, "digest.reported", reported=part.reported, expected=part.expected, percent=share
        )
        if part.on_time < part.reported:
            text += self.t(lang, "digest.late_count", count=part.reported - part.on_time)
        if part.returned:
            text += self.t(lang, "digest.returned_count", count=len(part.returned))
        return text

    def _returned(self, part: TypeDigest, data: DigestData, lang: str) -> str:
        """Reports officers sent back, waiting for a correction: apart from the missing."""
        if not part.returned:
            return ""
        lines = [self.t(lang, "digest.returned", count=len(part.returned))]
        for row in part.returned[:MAX_LATE]:
            place = self._place(row.village.name, row.unit.name, row.unit.code, data)
            lines.append(self.t(lang, "digest.returned_line", village=place, number=row.number,
                                officer=row.officer, date=self._day(row.returned_at)))  # fmt: skip
        if len(part.returned) > MAX_LATE:
            lines.append(self.t(lang, "digest.more", count=len(part.returned) - MAX_LATE))
        return "\n".join(lines)

    def _totals(self, part: TypeDigest, lang: str) -> str:
        shown = [f for f in part.totals if f.current or f.previous]
        if not shown:
            return self.t(lang, "digest.no_figures")
        lines = [self.t(lang, "digest.totals", period=describe(part.previous, lang))]
        lines += [f"• {f.field.name(lang)}: {f.current} ({f.previous})" for f in shown]
        return "\n".join(lines)

    def _missing(self, part: TypeDigest, data: DigestData, lang: str) -> str:
        if not part.missing:
            return self.t(lang, "digest.all_reported") if part.expected else ""
        lines = [self.t(lang, "digest.missing", count=len(part.missing))]
        lines += [self._missing_line(m, data) for m in part.missing[:MAX_MISSING]]
        if len(part.missing) > MAX_MISSING:
            lines.append(
                self.t(lang, "digest.more_villages", count=len(part.missing) - MAX_MISSING)
            )
        return "\n".join(lines)

    def _missing_line(self, row: MissingRow, data: DigestData) -> str:
        who = ", ".join(c.name + ("" if c.reachable else " ⚠️") for c in row.collaborators)
        return f"• {self._place(row.village.name, row.unit.name, row.unit.code, data)}: {who}"

    @staticmethod
    def _place(village: str, unit: str, unit_code: str, data: DigestData) -> str:
        # Village names repeat across communes ("Tổ dân phố 1"): name the commune too.
        inside_unit = unit_code != data.area.code and unit != village
        return f"{village} ({unit})" if inside_unit else village

    def _late(self, part: TypeDigest, data: DigestData, lang: str) -> str:
        if not part.late:
            return ""
        lines = [self.t(lang, "digest.late", count=len(part.late))]
        for row in part.late[:MAX_LATE]:
            place = self._place(row.village.name, row.unit.name, row.unit.code, data)
            lines.append(
                self.t(lang, "digest.late_line", village=place, period=describe(row.period, lang),
                       count=row.reports, date=self._day(row.received_at))
            )  # fmt: skip
        if len(part.late) > MAX_LATE:
            lines.append(self.t(lang, "digest.more", count=len(part.late) - MAX_LATE))
        return "\n".join(lines)

    # --- directives ------------------------------------------------------------------------------

    def _directives(self, summary: DirectiveSummary, lang: str) -> str:
        if not summary.recent and not summary.overdue:
            return self.t(lang, "digest.directives_none", days=RECENT_DAYS)
        lines = []
        if summary.recent:
            lines.append(
                self.t(lang, "digest.directives", days=RECENT_DAYS, count=len(summary.recent),
                       acked=summary.acked, expected=summary.expected,
                       percent=percent(summary.acked, summary.expected) or 0)
            )  # fmt: skip
        if summary.overdue:
            lines.append(self.t(lang, "digest.overdue", count=len(summary.overdue)))
            lines += [self._overdue_line(row, lang) for row in summary.overdue[:MAX_OVERDUE]]
            if len(summary.overdue) > MAX_OVERDUE:
                lines.append(self.t(lang, "digest.more", count=len(summary.overdue) - MAX_OVERDUE))
        return "\n".join(lines)

    def _questions(self, data: DigestData, lang: str) -> str:
        """One line: how many questions wait for an answer, and the oldest one."""
        found = data.questions
        if not found.count or found.oldest_at is None:
            return ""
        return self.t(lang, "digest.questions", count=found.count, number=found.oldest,
                      area=found.oldest_area, date=self._day(found.oldest_at))  # fmt: skip

    def _overdue_line(self, row: DirectiveRow, lang: str) -> str:
        first = " ".join(row.text.split())
        excerpt = first if len(first) <= EXCERPT else first[: EXCERPT - 1].rstrip() + "…"
        deadline = self._day(row.deadline) if row.deadline else ""
        return self.t(lang, "digest.overdue_line", number=row.id, deadline=deadline,
                      acked=row.acked, expected=row.expected, text=excerpt)  # fmt: skip

    def _day(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%d/%m}"

    # --- rumours ---------------------------------------------------------------------------------

    def _rumours(self, data: DigestData, lang: str) -> str:
        """The day's sightings of registered rumours, per clarification and commune."""
        if not data.rumours:
            return ""
        total = sum(r.total for r in data.rumours)
        lines = [self.t(lang, "digest.rumours", count=total)]
        for r in data.rumours[:MAX_RUMOURS]:
            where = ", ".join(f"{name} {n}" for name, n in r.units)
            lines.append(
                self.t(lang, "digest.rumour_line", number=r.clarification, phrase=r.phrase,
                       count=r.total, where=where)
            )  # fmt: skip
        if len(data.rumours) > MAX_RUMOURS:
            lines.append(self.t(lang, "digest.more", count=len(data.rumours) - MAX_RUMOURS))
        return "\n".join(lines)

    # --- the chart and the files -------------------------------------------------------------

    def chart_title(self, data: DigestData, lang: str) -> str:
        return self.t(lang, "digest.chart_title", area=data.area.name, date=f"{data.on:%d/%m/%Y}")

    def chart_axis(self, lang: str) -> str:
        return self.t(lang, "digest.chart_axis")

    def chart_caption(self, data: DigestData, lang: str) -> str:
        return self.t(lang, "digest.chart_caption", area=data.area.name)

    def sheet_caption(self, data: DigestData, lang: str, *, villages: int) -> str:
        return self.t(lang, "digest.sheet.caption", area=data.area.name, villages=villages,
                      date=f"{data.on:%d/%m/%Y}")  # fmt: skip
