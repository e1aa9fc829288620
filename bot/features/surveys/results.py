"""A survey's answers counted: per option and per commune for /tinhtrang ks<n>, and as the
survey sheet of an export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from bot.core.models import Area, OutboxStatus, Survey
from bot.features.broadcast.sending import job_items
from bot.features.broadcast.targets import Units, unit_of
from bot.features.export.rows import ExtraSheet, local_time
from bot.features.surveys.text import SurveyResults, SurveyUnit

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.store.base import Store

# The export's survey sheet: what people read, and the codes (as in the report sheets).
SHEET_NAMES = (
    "Khảo sát số", "Thời điểm gửi", "Câu hỏi", "Mã địa bàn", "Địa bàn", "Lựa chọn", "Số trả lời",
)  # fmt: skip
SHEET_CODES = ("survey", "sent_at", "question", "area_code", "area_name", "option", "answers")


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of the survey sheet of an export: a survey's option in one commune."""

    survey: int
    created_at: datetime
    question: str
    area_code: str
    area_name: str
    option: str
    answers: int


def build_results(store: Store, areas: AreaTree, s: Survey) -> SurveyResults:
    """Delivered copies, answers per option, and per unit of the target (the communes of a
    region) the answers and the people asked who have not answered."""
    answers = store.survey_answers.for_survey(s.id)
    unit = Units(areas, s.targets, lambda place: SurveyUnit(place, counts=[0] * len(s.options)))
    counts = [0] * len(s.options)
    answered = set()
    for a in answers:
        counts[a.option] += 1
        row = unit(a.area)
        row.answers += 1
        row.counts[a.option] += 1
        if a.person_id is not None:
            answered.add(a.person_id)
    for pid, area in s.expected:
        row = unit(area)
        if pid not in answered:
            person = store.people.get(pid)
            row.missing.append(person.name if person else f"#{pid}")
    items = job_items(store, s)
    author = store.people.get(s.author)
    return SurveyResults(
        survey=s, author=author.name if author else "", messages=len(items),
        sent=sum(1 for i in items if i.status is OutboxStatus.SENT), answers=len(answers),
        counts=counts, expected=len(s.expected),
        expected_answered=sum(1 for pid, _ in s.expected if pid in answered),
        units=unit.ordered(),
    )  # fmt: skip


def survey_sheet(
    store: Store, areas: AreaTree, area: Area, start: datetime, end: datetime, *, tz: tzinfo
) -> ExtraSheet | None:
    """The survey sheet of an export of `area` over [start, end]; None without surveys."""
    rows = sheet_rows(store, areas, area, start, end)
    if not rows:
        return None
    return ExtraSheet(
        title="Khảo sát", names=SHEET_NAMES, codes=SHEET_CODES,
        rows=tuple(
            (r.survey, local_time(r.created_at, tz), r.question, r.area_code, r.area_name,
             r.option, r.answers)
            for r in rows
        ),
    )  # fmt: skip


def sheet_rows(
    store: Store, areas: AreaTree, area: Area, start: datetime, end: datetime
) -> list[SheetRow]:
    """Each survey sent into `area` between `start` and `end`: per commune and option, how
    many answered (answers from outside `area` left out)."""
    rows: list[SheetRow] = []
    for s in store.surveys.all():
        if not start <= s.created_at <= end or not any(
            areas.contains(area.code, t) or areas.contains(t, area.code)
            for t in s.targets if t in areas
        ):  # fmt: skip
            continue
        per: dict[str, list[int]] = {}
        for a in store.survey_answers.for_survey(s.id):
            if a.area and a.area in areas and not areas.contains(area.code, a.area):
                continue
            code = unit_of(areas, s.targets, a.area) if a.area else ""
            per.setdefault(code, [0] * len(s.options))[a.option] += 1
        for code, counts in sorted(per.items()):
            name = areas.get(code).name if code in areas else ""
            rows += [
                SheetRow(s.id, s.created_at, s.question, code, name, option, n)
                for option, n in zip(s.options, counts, strict=True)
            ]
    return rows
