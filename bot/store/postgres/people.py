"""People, acknowledgements, link codes and survey answers in PostgreSQL, where the generic
repositories read an in-memory index or count in code: accounts and acknowledgements are
unique by constraint, link code numbers come from a shared counter."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from psycopg.types.json import Json

from bot.core.models import Acknowledgement, LinkCode, Person, SurveyAnswer
from bot.store.base import DuplicateKeyError
from bot.store.engine.codec import encode
from bot.store.postgres.core import PgCore
from bot.store.postgres.own_tables import PeopleTable
from bot.store.postgres.tables import PgTable
from bot.store.repos.directives import AcksRepo
from bot.store.repos.people import LinkCodesRepo, PeopleRepo
from bot.store.repos.surveys import SurveyAnswersRepo


class PgPeopleRepo(PeopleRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._pg = core
        self._people = cast(PeopleTable, core.tables["people"])

    def by_account(self, user_key: str) -> Person | None:
        return self._people.by_account(user_key)

    def save(self, person: Person) -> None:
        with self._pg.atomic():  # a savepoint: a refused account leaves the caller's block
            for account in person.accounts:
                owner = self._people.owner(account.key)
                if owner is not None and owner != person.id:
                    msg = f"account {account.key} belongs to person {owner}"
                    raise DuplicateKeyError(msg)
            # The unique key of accounts refuses a second owner that came in meanwhile.
            self._pg.put("people", person.id, person)


class PgAcksRepo(AcksRepo):
    def __init__(self, core: PgCore) -> None:
        self._core = core  # type: ignore[assignment]
        self._pg = core
        self._acks = cast(PgTable, core.tables["acks"])

    def add(self, ack: Acknowledgement) -> None:
        doc = Json(encode(ack))  # a record that cannot be stored fails before anything is sent
        with self._pg.atomic():
            exists = self._pg.db.one(
                "SELECT 1 FROM acks WHERE directive_id = %s AND person_id = %s",
                [ack.directive_id, ack.person_id],
            )
            if exists is not None:
                msg = f"person {ack.person_id} already acknowledged directive {ack.directive_id}"
                raise DuplicateKeyError(msg)
            # A plain insert: of two instances adding the same at once, the key refuses one.
            self._pg.db.execute(
                "INSERT INTO acks (directive_id, person_id, doc) VALUES (%s, %s, %s)",
                [ack.directive_id, ack.person_id, doc],
            )

    def get(self, directive_id: int, person_id: int) -> Acknowledgement | None:
        return cast(Acknowledgement | None, self._acks.get((directive_id, person_id)))

    def for_directive(self, directive_id: int) -> dict[int, Acknowledgement]:
        found = self._acks.where("directive_id = %s", [directive_id])
        return {ack.person_id: ack for ack in found}


class PgSurveyAnswersRepo(SurveyAnswersRepo):
    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._answers = cast(PgTable, core.tables["survey_answers"])

    def for_survey(self, survey_id: int) -> list[SurveyAnswer]:
        found = self._answers.where("survey_id = %s", [survey_id])
        return sorted(found, key=lambda a: (a.at, a.voter))


class PgLinkCodesRepo(LinkCodesRepo):
    """Numbers from a counter two instances share (never read, then written)."""

    def __init__(self, core: PgCore) -> None:
        super().__init__(core)  # type: ignore[arg-type]
        self._pg = core

    def add(self, code: LinkCode) -> LinkCode:
        with self._pg.atomic():
            while True:
                number = self._pg.counter(self._NEXT, 1)
                if self._table.get(str(number)) is None:  # never an older record's key
                    break
            code = replace(code, code=str(number))
            self.save(code)
        return code
