"""Surveys and their answers, over the transaction core."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from bot.core.models import Survey, SurveyAnswer
from bot.store.engine.tables import Table
from bot.store.engine.transaction import Core
from bot.store.repos.meta import next_id


class SurveysRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["surveys"])

    def add(self, survey: Survey) -> Survey:
        with self._core.atomic():
            stored = replace(survey, id=next_id(self._core, "surveys"))
            self.save(stored)
        return stored

    def get(self, survey_id: int) -> Survey | None:
        return cast(Survey | None, self._table.get(survey_id))

    def save(self, survey: Survey) -> None:
        self._core.put("surveys", survey.id, survey)

    def all(self) -> list[Survey]:
        return sorted(self._table.values(), key=lambda s: s.id)


class SurveyAnswersRepo:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._table = cast(Table, core.tables["survey_answers"])

    def put(self, answer: SurveyAnswer) -> None:
        self._core.put("survey_answers", (answer.survey_id, answer.voter), answer)

    def get(self, survey_id: int, voter: str) -> SurveyAnswer | None:
        return cast(SurveyAnswer | None, self._table.get((survey_id, voter)))

    def remove(self, survey_id: int, voter: str) -> None:
        if self.get(survey_id, voter) is not None:
            self._core.put("survey_answers", (survey_id, voter), None)

    def for_survey(self, survey_id: int) -> list[SurveyAnswer]:
        found = [a for a in self._table.values() if a.survey_id == survey_id]
        return sorted(found, key=lambda a: (a.at, a.voter))
