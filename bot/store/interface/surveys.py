"""Repository Protocols of surveys and their answers."""

from __future__ import annotations

from typing import Protocol

from bot.core.models import Survey, SurveyAnswer


class SurveysRepo(Protocol):
    """Surveys, numbered 1, 2, 3… in order of confirmation."""

    def add(self, survey: Survey) -> Survey:
        """Store under the next id; returns it with its id."""

    def get(self, survey_id: int) -> Survey | None:
        """The survey with this id, or None."""

    def save(self, survey: Survey) -> None:
        """Replace the survey with the same id."""

    def all(self) -> list[Survey]:
        """Every survey, by id."""


class SurveyAnswersRepo(Protocol):
    """Each voter's current answer to a survey; one record per (survey, voter)."""

    def put(self, answer: SurveyAnswer) -> None:
        """Store the answer, replacing the voter's earlier one."""

    def get(self, survey_id: int, voter: str) -> SurveyAnswer | None:
        """The voter's answer, or None."""

    def remove(self, survey_id: int, voter: str) -> None:
        """Forget the voter's answer (a vote taken back); no error if there is none."""

    def for_survey(self, survey_id: int) -> list[SurveyAnswer]:
        """Every answer to the survey, oldest first."""
