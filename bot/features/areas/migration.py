"""Moving stored records from old area codes to new ones, in one commit (`areas migrate`).

What moves: role grants, pending registrations, group bindings, reports (every version: the
area becomes the new code, `former_area` keeps the old code and `area_name` the old name, so an
old report still reads under the name it was sent for), directives and surveys (targets, the
groups and people they went to, survey answers), reminders, questions, handbook notes,
clarifications and rumour sightings.

Two reports of the same type and period that end up in the same new commune are both kept (they
are different places' history) and both count. A report keeps its id, which names its old area,
so ids stay unique; only when the old code lives on in the new tree as another area (codes are
reused) does a moved report get a new id, so that the new area's own reports never land on it
as corrections.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.core.areas import AreaTree
from bot.core.models import Report
from bot.store.base import Store

T = TypeVar("T")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
APPLIED_KEY = "areas.migrations"  # meta: the mappings applied so far (fingerprint, when, counts)


class AlreadyApplied(Exception):
    """This very mapping was applied before (applying it again could move records twice)."""


@dataclass(frozen=True, slots=True)
class MigrationResult:
    counts: dict[str, int]  # kind → records changed
    by_target: dict[str, list[str]]  # new code → old codes moved into it (that had records)
    renamed: int  # reports given a new id (their old code is another area now)


def fingerprint(moves: Mapping[str, str]) -> str:
    text = json.dumps(sorted(moves.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def migrate(
    store: Store,
    moves: Mapping[str, str],
    *,
    tree: AreaTree,
    names: Mapping[str, str],
    now: datetime,
    dry_run: bool = False,
) -> MigrationResult:
    """Move every record from each old code to its new code, in one atomic() block.

    `names`: old code → its old name, kept on moved reports that have none. With `dry_run`
    the block is rolled back, so nothing is written; the counts are the same.
    """
    moves = {old: new for old, new in moves.items() if old != new or old in names}
    done = store.meta.get(APPLIED_KEY, []) or []
    mark = fingerprint(moves)
    if any(entry.get("fingerprint") == mark for entry in done):
        msg = f"this mapping was applied already (fingerprint {mark})"
        raise AlreadyApplied(msg)
    mover = _Mover(store, moves, tree=tree, names=names)
    try:
        with store.atomic():
            mover.run()
            entry = {"fingerprint": mark, "at": now.isoformat(), "counts": dict(mover.counts)}
            store.meta.set(APPLIED_KEY, [*done, entry])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return MigrationResult(
        dict(mover.counts), {k: sorted(v) for k, v in mover.by_target.items()}, mover.renamed
    )


class _DryRun(Exception):
    """Raised inside the block to roll a dry run back."""


class _Mover:
    def __init__(
        self, store: Store, moves: Mapping[str, str], *, tree: AreaTree, names: Mapping[str, str]
    ) -> None:
        self.store, self.moves, self.tree, self.names = store, dict(moves), tree, names
        self.counts: Counter[str] = Counter()
        self.by_target: dict[str, set[str]] = {}
        self.renamed = 0

    def area(self, code: str) -> str:
        new = self.moves.get(code, code)
        if new != code:
            self.by_target.setdefault(new, set()).add(code)
        return new

    def codes(self, codes: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.area(c) for c in codes))

    def pairs(self, pairs: Iterable[tuple[T, str]]) -> tuple[tuple[T, str], ...]:
        return tuple(dict.fromkeys((key, self.area(area)) for key, area in pairs))

    def save(self, kind: str, old: T, new: T, put: Callable[[T], None]) -> None:
        if new != old:
            put(new)
            self.counts[kind] += 1

    def run(self) -> None:
        s = self.store
        for person in s.people.all():
            # Two grants that meet in one new area become one (the first, with its history).
            grants = {}
            for grant in person.roles:
                moved_grant = replace(grant, area=self.area(grant.area))
                grants.setdefault((moved_grant.role, moved_grant.area), moved_grant)
            roles = tuple(grants.values())
            self.save("people", person, replace(person, roles=roles), s.people.save)
            for reg in s.registrations.for_person(person.id):
                moved = replace(reg, area=self.area(reg.area))
                self.save("registrations", reg, moved, s.registrations.save)
        for binding in s.groups.all():
            moved_binding = replace(binding, area=self.area(binding.area))
            self.save("groups", binding, moved_binding, s.groups.save)
        self.reports()
        for d in s.directives.all():
            moved_d = replace(
                d, targets=self.codes(d.targets), groups=self.pairs(d.groups),
                expected=self.pairs(d.expected),
            )  # fmt: skip
            self.save("directives", d, moved_d, s.directives.save)
        for survey in s.surveys.all():
            moved_s = replace(
                survey, targets=self.codes(survey.targets), groups=self.pairs(survey.groups),
                expected=self.pairs(survey.expected),
            )  # fmt: skip
            self.save("surveys", survey, moved_s, s.surveys.save)
            for answer in s.survey_answers.for_survey(survey.id):
                moved_a = replace(answer, area=self.area(answer.area))
                self.save("survey answers", answer, moved_a, s.survey_answers.put)
        for reminder in s.reminders.all():
            moved_r = replace(reminder, areas=self.codes(reminder.areas))
            self.save("reminders", reminder, moved_r, s.reminders.save)
        for q in s.questions.all():
            moved_q = replace(q, area=self.area(q.area), level=self.area(q.level))
            self.save("questions", q, moved_q, s.questions.save)
        for note in s.handbook.all():
            self.save("notes", note, replace(note, area=self.area(note.area)), s.handbook.save)
        for c in s.clarifications.all():
            moved_c = replace(c, area=self.area(c.area))
            self.save("clarifications", c, moved_c, s.clarifications.save)
        for sighting in s.sightings.since(EPOCH):
            moved_g = replace(sighting, area=self.area(sighting.area))
            self.save("sightings", sighting, moved_g, s.sightings.save)

    def reports(self) -> None:
        for report_id in self.store.reports.ids_at(self.moves):
            versions = self.store.reports.versions(report_id)
            moved = [self._report(v) for v in versions]
            if moved == versions:
                continue
            # The old code is another area of the new tree: give the report an id of its own,
            # or that area's next report of the same type and period would become its correction.
            reused = any(v.area in self.tree and self.moves.get(v.area, v.area) != v.area
                         for v in versions)  # fmt: skip
            if reused:
                new_id = f"{report_id}~{moved[-1].area}"
                moved = [replace(v, id=new_id) for v in moved]
                self.renamed += 1
            self.store.reports.rewrite(report_id, moved)
            self.counts["reports"] += 1

    def _report(self, report: Report) -> Report:
        new = self.area(report.area)
        changes: dict[str, Any] = {}
        if new != report.area:
            changes.update(area=new, former_area=report.former_area or report.area)
        if not report.area_name and report.area in self.names:
            changes["area_name"] = self.names[report.area]
        return replace(report, **changes) if changes else report
