"""A push in words, for the admins' private chats and the command line: per report type and
period what was sent, what DHIS2 did with it (its import summary), the values it refused and
why, the areas no organisation unit takes; or why nothing could be sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.periods import describe

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.features.dhis2.client import Dhis2Error
    from bot.features.dhis2.mapping import Dhis2Map
    from bot.features.dhis2.service import Batch, Outcome
    from bot.features.reports.types import ReportTypes

MAX_CONFLICTS = 10  # refused values named in one message; the rest are counted
MAX_UNMAPPED = 10


class PushText:
    """Renders outcomes in one language at a time, naming DHIS2's ids by our own names."""

    def __init__(
        self, translate: Translator, types: ReportTypes, mapping: Dhis2Map, server: str
    ) -> None:
        self.t = translate
        self.types = types
        self.mapping = mapping
        self.server = server

    def report(self, lang: str, outcomes: Sequence[Outcome]) -> str:
        """The whole push: a title, a paragraph per report type and period, then the error
        that stopped it, if one did."""
        lines = [self.t(lang, "dhis2.title", server=self.server)]
        failure: Dhis2Error | None = None
        for outcome in outcomes:
            lines += self._outcome(lang, outcome)
            failure = failure or outcome.error
        if failure is not None:
            lines.append(self.t(lang, failure.key, **failure.params))
        return "\n".join(lines)

    def dry_run(self, lang: str, batches: Sequence[Batch]) -> str:
        """What a push would send: the same paragraphs, then each data value set as JSON."""
        lines = [self.t(lang, "dhis2.dry_run", server=self.server)]
        for batch in batches:
            lines += self._batch(lang, batch)
        bodies = [b.body for b in batches if not b.empty]
        if bodies:
            lines.append(json.dumps(bodies, ensure_ascii=False, indent=2))
        return "\n".join(lines)

    def _head(self, lang: str, batch: Batch) -> str:
        rt = self.types.get(batch.type_code)
        name = rt.name(lang) if rt else batch.type_code
        return f"{name}, {describe(batch.period, lang)}"

    def _batch(self, lang: str, batch: Batch) -> list[str]:
        agg = batch.aggregate
        head = self._head(lang, batch)
        if batch.empty:
            lines = [self.t(lang, "dhis2.empty", what=head)]
        else:
            lines = [
                self.t(lang, "dhis2.batch", what=head, values=len(agg.values), units=agg.units,
                       reports=agg.reports)
            ]  # fmt: skip
        if agg.unmapped:
            names = [self._area(code) for code in agg.unmapped[:MAX_UNMAPPED]]
            more = len(agg.unmapped) - len(names)
            text = ", ".join(names) + (f" (+{more})" if more > 0 else "")
            lines.append(self.t(lang, "dhis2.unmapped", areas=text))
        return lines

    def _outcome(self, lang: str, outcome: Outcome) -> list[str]:
        lines = self._batch(lang, outcome.batch)
        summary = outcome.summary
        if outcome.batch.empty:
            return lines
        if summary is None:
            return [*lines, self.t(lang, "dhis2.not_sent")]
        if summary.status == "ERROR":
            lines.append(self.t(lang, "dhis2.rejected"))
        lines.append(
            self.t(lang, "dhis2.counts", imported=summary.imported, updated=summary.updated,
                   ignored=summary.ignored, deleted=summary.deleted)
        )  # fmt: skip
        if summary.conflicts:
            rt = self.types.get(outcome.batch.type_code)
            names = {f.code: f.name(lang) for f in rt.fields} if rt else {}
            refused = sum(c.values for c in summary.conflicts)
            lines.append(self.t(lang, "dhis2.conflicts", count=refused))
            for c in summary.conflicts[:MAX_CONFLICTS]:
                what = self.mapping.describe(c.object, names) if c.object else "?"
                lines.append(self.t(lang, "dhis2.conflict", what=what, reason=c.value))
            more = len(summary.conflicts) - MAX_CONFLICTS
            if more > 0:
                lines.append(self.t(lang, "dhis2.conflicts_more", count=more))
        return lines

    def _area(self, code: str) -> str:
        areas = self.mapping.units.areas
        return areas.get(code).name if code in areas else code
