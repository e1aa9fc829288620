"""The step-by-step form: its state (the prompt's plain JSON data), each answer read and checked
as it is given, each rule checked as soon as every field it names has an answer, and a broken
rule asked again for its fields only, so that no check ever throws the other answers away."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core.errors import UserError
from bot.core.text import fold
from bot.features.reports.grammar.values import choice_value, date_value, flag_value
from bot.features.reports.previous import as_answer
from bot.features.reports.types import FieldSpec, ReportType, Rule

SKIP_WORDS = frozenset({"bo qua", "boqua", "skip"})
SAVE_WORDS = frozenset({"luu", "luu lai", "ok", "xong", "gui", "save"})
ZERO_WORDS = frozenset({"khong", "ko"})
# A whole number, perhaps with a word after it and a full stop or comma ("2 ca.", "3,").
_NUMBER = re.compile(r"(\d{1,6})\s*(.*?)\s*[.,;!]?")


def new_form(type_code: str, village: str, period: str) -> dict[str, Any]:
    """The state of a form nobody has answered yet. `id` tells its keypads from another form's,
    `step` counts the questions asked, so that an old question's keypad is known as such."""
    return {
        "type": type_code,
        "village": village,
        "period": period,
        "index": 0,
        "answers": {},
        "id": secrets.token_hex(2),
        "step": 0,
    }


@dataclass(frozen=True, slots=True)
class Broken:
    """A rule the answers broke: the values that broke it and the fields asked again."""

    rule: Rule
    given: tuple[tuple[FieldSpec, Any], ...]
    again: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class Missing:
    """Required fields without an answer at the end (a field made required meanwhile)."""

    fields: tuple[FieldSpec, ...]


class Form:
    """A form in progress over its report type. The fields are asked in config order; `again`
    holds fields to ask (again) before going on: the fields of a broken rule, or one the person
    chose to change from the summary. When nothing is left to ask, the summary is shown."""

    def __init__(self, rt: ReportType, state: Mapping[str, Any]) -> None:
        codes = {f.code for f in rt.fields}
        self.rt = rt
        self.village = str(state["village"])
        self.period = str(state["period"])
        self.index = int(state.get("index", 0))
        self.answers: dict[str, Any] = {
            k: v for k, v in dict(state.get("answers", {})).items() if k in codes
        }
        self.again: list[str] = [c for c in state.get("again", ()) if c in codes]
        self.broken: list[str] = list(state.get("broken", ()))
        self.id = str(state.get("id", ""))
        self.step = int(state.get("step", 0))
        self.typed = str(state.get("typed", ""))
        # Period mode: the previous period's values (`since`: its key), each question's default.
        previous = dict(state.get("previous", {}))
        self.previous: dict[str, Any] = {k: v for k, v in previous.items() if k in codes}
        self.since = str(state.get("since", ""))

    def data(self) -> dict[str, Any]:
        """The state to keep in the prompt (lists only when they hold something)."""
        data: dict[str, Any] = {
            "type": self.rt.code,
            "village": self.village,
            "period": self.period,
            "index": self.index,
            "answers": dict(self.answers),
            "id": self.id,
            "step": self.step,
        }
        if self.typed:
            data["typed"] = self.typed
        if self.previous:
            data.update(previous=dict(self.previous), since=self.since)
        if self.again:
            data["again"] = list(self.again)
        if self.broken:
            data["broken"] = list(self.broken)
        return data

    # --- where the form is ---------------------------------------------------------------------

    @property
    def field(self) -> FieldSpec | None:
        """The field asked now; None when every field was asked (the summary)."""
        if self.again:
            return self.rt.field(self.again[0])
        if self.index < len(self.rt.fields):
            return self.rt.fields[self.index]
        return None

    def number(self, spec: FieldSpec) -> int:
        """The field's place in the form, from 1."""
        return self.rt.fields.index(spec) + 1

    def values(self) -> dict[str, Any]:
        """The answers in the form's order."""
        return {f.code: self.answers[f.code] for f in self.rt.fields if f.code in self.answers}

    # --- answering -----------------------------------------------------------------------------

    def take(self, value: Any) -> Broken | None:
        """Keep the answer to the current field and go on; a rule it breaks is returned, its
        fields already queued to be asked again."""
        spec = self.field
        assert spec is not None
        self.answers[spec.code] = value
        self._advance()
        return self._check_rules()

    def kept(self, *, lang: str) -> str:
        """The previous period's answer to the current field, as typed, to keep it; refused
        where the previous report has none."""
        spec = self.field
        assert spec is not None
        if spec.code not in self.previous:
            raise UserError("report.form_nothing_kept", field=spec.name(lang))
        return as_answer(self.previous[spec.code])

    def skip(self, *, lang: str) -> None:
        """Leave the current field without an answer (an answer given before is dropped)."""
        spec = self.field
        assert spec is not None
        if spec.required:
            raise UserError("report.form_required", field=spec.name(lang))
        self.answers.pop(spec.code, None)
        self._advance()

    def reopen(self, number: int) -> None:
        """Ask field `number` (from 1) again, from the summary; its answer stays until replaced."""
        if not 1 <= number <= len(self.rt.fields):
            raise UserError("report.form_summary_unknown", value=number, max=len(self.rt.fields))
        self.again = [self.rt.fields[number - 1].code]
        self.typed = ""

    def problem(self) -> Broken | Missing | None:
        """What stops the answers being saved, its fields queued to be asked again; None if
        nothing does. Answers are checked as they come, so this finds only what the config
        changed since."""
        missing = tuple(f for f in self.rt.fields if f.required and f.code not in self.answers)
        if missing:
            self.again = [f.code for f in missing]
            return Missing(missing)
        return self._check_rules()

    def ready(self) -> bool:
        """Whether the answers may be stored: every field asked, the required ones given, every
        rule holding."""
        required = all(f.code in self.answers for f in self.rt.fields if f.required)
        rules = all(rule.holds(self.answers) for rule in self.rt.rules)
        return self.field is None and required and rules

    def _advance(self) -> None:
        self.typed = ""
        if self.again:
            self.again.pop(0)
        else:
            self.index += 1

    def _check_rules(self) -> Broken | None:
        """The first rule that applies (every field it names has an answer) and fails."""
        for rule in self.rt.rules:
            if rule.applies(self.answers) and not rule.holds(self.answers):
                return self._ask_again(rule)
        return None

    def _ask_again(self, rule: Rule) -> Broken:
        """Queue the rule's fields to be asked again and drop their answers, keeping the rest.
        The first of them in the form (usually the total, e.g. births) keeps its answer the
        first time; if the rule breaks again, all of its fields are asked."""
        named = [f for f in self.rt.fields if f.code in rule.fields()]
        given = tuple((f, self.answers[f.code]) for f in named)
        again = named[1:] if len(named) > 1 and rule.text not in self.broken else named
        if rule.text not in self.broken:
            self.broken.append(rule.text)
        codes = [f.code for f in again]
        for code in codes:
            self.answers.pop(code, None)
        self.again = codes + [c for c in self.again if c not in codes]
        return Broken(rule, given, tuple(again))


def read_answer(spec: FieldSpec, text: str, *, today: date, lang: str) -> Any:
    """One typed answer as the field's value (JSON: a date as ISO text), within the field's
    limits; a refusal says why in a few words (the form asks the same question again)."""
    raw = text.strip()
    name = spec.name(lang)
    if spec.kind == "number":
        found = _NUMBER.fullmatch(raw)
        if found and found.group(2) and fold(found.group(2)) not in map(fold, spec.units):
            found = None  # only the field's own unit words ("2 ca", "1 cặp") may follow
        if found is None and fold(raw).rstrip(".,;!") not in ZERO_WORDS:
            raise UserError(
                "report.form_not_number", value=raw, field=name, min=spec.min, max=spec.max
            )
        number = int(found.group(1)) if found else 0
        if not spec.min <= number <= spec.max:
            raise UserError(
                "report.form_out_of_range", value=raw, field=name, min=spec.min, max=spec.max
            )
        return number
    if spec.kind == "text":
        if len(raw) > spec.max_length:
            raise UserError("report.form_too_long", field=name, max=spec.max_length, n=len(raw))
        return raw
    if spec.kind == "date":
        day = date_value(raw.rstrip("."), today=today)
        if day is None:
            raise UserError(
                "report.form_bad_date", value=raw, field=name, today=f"{today:%d/%m/%Y}"
            )
        return day.isoformat()
    value = flag_value(raw.rstrip(".!")) if spec.kind == "yesno" else choice_value(spec, raw)
    if value is None:
        raise UserError(
            "report.form_bad_choice", value=raw, field=name, allowed=allowed(spec, lang)
        )
    return value


def allowed(spec: FieldSpec, lang: str) -> str:
    """The answers a yes/no or choice field takes, in the person's language."""
    if spec.kind == "yesno":
        return "yes, no" if lang == "en" else "có, không"
    return ", ".join(spec.options)
