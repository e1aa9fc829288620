"""Which stored records point at which area codes, and which of those codes the tree lacks.

`check-config` uses it to say, after the area tree in config changed (communes merged or
renamed), what still points at areas that are gone; `areas migrate` uses it to find what to move.
Reports are counted from the store's index, so scanning 100k of them reads no report file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from bot.store.base import Store

# The kinds of record that name areas, in the order a summary lists them.
KINDS = (
    "people",
    "registrations",
    "groups",
    "reports",
    "directives",
    "surveys",
    "reminders",
    "questions",
    "notes",
    "clarifications",
)


@dataclass(slots=True)
class AreaUsage:
    """kind → area code → the records of that kind there (ids as text); reports as counts."""

    refs: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, area: str, ref: object) -> None:
        if area:
            self.refs.setdefault(kind, {}).setdefault(area, set()).add(str(ref))

    def areas(self) -> set[str]:
        codes = set(self.reports)
        for by_area in self.refs.values():
            codes.update(by_area)
        return codes

    def only(self, codes: Collection[str]) -> AreaUsage:
        """The same usage restricted to these area codes."""
        wanted = set(codes)
        refs = {
            kind: {a: set(r) for a, r in by_area.items() if a in wanted}
            for kind, by_area in self.refs.items()
        }
        reports = {a: n for a, n in self.reports.items() if a in wanted}
        return AreaUsage({k: v for k, v in refs.items() if v}, reports)

    def count(self, kind: str) -> int:
        """How many distinct records of `kind` (reports: report ids per area, summed)."""
        if kind == "reports":
            return sum(self.reports.values())
        return len(set().union(*self.refs.get(kind, {}).values()))

    def counts(self) -> dict[str, int]:
        """kind → count, only the kinds with records, in KINDS order."""
        found = {kind: self.count(kind) for kind in KINDS}
        return {kind: n for kind, n in found.items() if n}


def _pairs(pairs: Iterable[tuple[object, str]]) -> list[str]:
    return [area for _, area in pairs]


def scan(store: Store) -> AreaUsage:
    """Every area code the store's records point at, with what points there."""
    usage = AreaUsage(reports=store.reports.area_counts())
    for person in store.people.all():
        for grant in person.roles:
            usage.add("people", grant.area, person.id)
        for reg in store.registrations.for_person(person.id):
            if reg.status == "pending":
                usage.add("registrations", reg.area, reg.id)
    for binding in store.groups.all():
        if binding.active:
            usage.add("groups", binding.area, binding.chat_key)
    for directive in store.directives.all():
        for area in (*directive.targets, *_pairs(directive.groups), *_pairs(directive.expected)):
            usage.add("directives", area, directive.id)
    for survey in store.surveys.all():
        for area in (*survey.targets, *_pairs(survey.groups), *_pairs(survey.expected)):
            usage.add("surveys", area, survey.id)
        for answer in store.survey_answers.for_survey(survey.id):
            usage.add("surveys", answer.area, survey.id)
    for reminder in store.reminders.all():
        for area in reminder.areas:
            usage.add("reminders", area, reminder.id)
    for question in store.questions.all():
        usage.add("questions", question.area, question.id)
        usage.add("questions", question.level, question.id)
    for note in store.handbook.all():
        usage.add("notes", note.area, note.id)
    for clarification in store.clarifications.all():
        usage.add("clarifications", clarification.area, clarification.id)
    return usage


def stored_names(store: Store, codes: Collection[str]) -> dict[str, str]:
    """The name each code had when a report there was written (Report.area_name), if any."""
    names: dict[str, str] = {}
    for report_id in store.reports.ids_at(codes):
        for version in store.reports.versions(report_id):
            if version.area in codes and version.area_name and version.area not in names:
                names[version.area] = version.area_name
        if len(names) == len(codes):
            break
    return names


def noun(kind: str, n: int) -> str:
    if n != 1:
        return kind
    return "person" if kind == "people" else kind.removesuffix("s")


def orphan_summary(usage: AreaUsage, names: dict[str, str], *, limit: int = 12) -> str:
    """ "12 people, 3 groups, 812 reports point at 7 areas that are not in the tree: 18076
    Phường Nam Hà, …" (one line), or "" when nothing is orphaned."""
    counts = usage.counts()
    if not counts:
        return ""
    what = ", ".join(f"{n} {noun(kind, n)}" for kind, n in counts.items())
    codes = sorted(usage.areas())
    shown = [f"{c} {names[c]}" if names.get(c) else c for c in codes[:limit]]
    more = f", and {len(codes) - limit} more" if len(codes) > limit else ""
    verb = "points" if sum(counts.values()) == 1 else "point"
    areas = "area that is" if len(codes) == 1 else "areas that are"
    return f"{what} {verb} at {len(codes)} {areas} not in the tree: {', '.join(shown)}{more}"
