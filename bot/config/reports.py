"""The config models of field-report types (`report_types`): fields, rules, period, deadline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, numbers_as_text
from bot.config.dhis2 import Dhis2Mapping

FieldKind = Literal["number", "yesno", "choice", "text", "date"]
ReportMode = Literal["event", "period"]
PeriodKind = Literal["day", "week", "month", "quarter"]
Comparison = Literal["=", "!=", "<", "<=", ">", ">="]

# A village never has a thousand births in a period: the default cap catches a slipped finger.
DEFAULT_NUMBER_MAX = 999
# What people write after a count of people or events ("2 ca", "1 trẻ"), unless a field
# declares its own `units` ([] for none): "cặp" fits marriages only, so it is no default.
DEFAULT_UNITS = ("ca", "trẻ", "cháu", "người")
_OPERATORS: tuple[Comparison, ...] = ("<=", ">=", "!=", "=", "<", ">")  # two-character first


def _squeeze(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        msg = "must not be empty"
        raise ValueError(msg)
    return text


def _texts(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(numbers_as_text(v) for v in value)
    return value


def _checked_code(value: str, *, what: str, example: str) -> str:
    """A field or type code as people type it in commands: a-z, 0-9 and '_'."""
    if not is_code(value):
        msg = (
            f"{value!r} is not a {what} code: use a-z, 0-9 and '_', starting with a letter, "
            f"e.g. {example}"
        )
        raise ValueError(msg)
    return value


class LocalText(Section):
    """A name or message in Vietnamese and, optionally, English (else the Vietnamese is used)."""

    vi: str
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # `name: Sinh` is short for `name: {vi: Sinh}`.
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {"vi": str(value)}
        return value

    _text = field_validator("vi", "en", mode="before")(numbers_as_text)

    @field_validator("vi", "en")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else _squeeze(value)

    def text(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.vi


class ReportFieldConfig(Section):
    """One field of a report type: how people name it and which values it takes."""

    code: str
    name: LocalText
    aliases: tuple[str, ...] = ()
    type: FieldKind = "number"
    required: bool = False
    min: int | None = Field(default=None, ge=0)  # number fields: default 0
    max: int | None = Field(default=None, ge=0)  # number fields: default DEFAULT_NUMBER_MAX
    options: tuple[str, ...] = ()  # choice fields: the allowed answers
    max_length: int = Field(default=200, ge=1, le=2000)  # text fields
    units: tuple[str, ...] | None = None  # number fields: words after the count; None: default

    _alias_text = field_validator("aliases", "options", "units", mode="before")(_texts)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _checked_code(value, what="field", example="sinh_con_thu_3")

    @field_validator("aliases", "options", "units")
    @classmethod
    def _clean(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(_squeeze(v) for v in value)

    def unit_words(self) -> tuple[str, ...]:
        """The words that may follow this field's number: declared, else the default ones."""
        if self.type != "number":
            return ()
        return DEFAULT_UNITS if self.units is None else self.units

    def bounds(self) -> tuple[int, int]:
        """The allowed range of a number field."""
        low = self.min if self.min is not None else 0
        return low, self.max if self.max is not None else max(DEFAULT_NUMBER_MAX, low)


@dataclass(frozen=True, slots=True)
class RuleExpr:
    """A parsed check: signed terms (field codes or whole numbers), a comparison, more terms."""

    left: tuple[tuple[int, str | int], ...]
    op: Comparison
    right: tuple[tuple[int, str | int], ...]

    def fields(self) -> tuple[str, ...]:
        """The field codes the check names, in order, each once."""
        refs = [ref for _, ref in (*self.left, *self.right) if isinstance(ref, str)]
        return tuple(dict.fromkeys(refs))


def parse_check(text: str) -> RuleExpr:
    """`sinh_nam + sinh_nu = sinh` or `sinh_con_thu_3 <= sinh`; ValueError says what is wrong."""
    text = text.replace("==", "=")
    for op in _OPERATORS:
        left, found, right = text.partition(op)
        if found and not any(o in right for o in _OPERATORS):
            return RuleExpr(_terms(left, text), op, _terms(right, text))
        if found:
            break
    msg = (
        f"{text!r} is not a check: write field codes joined by + or -, one of = != < <= > >=, "
        "and more field codes, e.g. sinh_nam + sinh_nu = sinh"
    )
    raise ValueError(msg)


def _terms(side: str, whole: str) -> tuple[tuple[int, str | int], ...]:
    """`a + b - 2` → ((1, "a"), (1, "b"), (-1, 2)): terms at even places, + or - between."""
    words = side.replace("+", " + ").replace("-", " - ").split()
    terms: list[tuple[int, str | int]] = []
    sign = 1
    good = len(words) % 2 == 1
    for index, word in enumerate(words if good else ()):
        if index % 2:
            good = word in ("+", "-")
            sign = -1 if word == "-" else 1
        elif word.isdigit():
            terms.append((sign, int(word)))
        else:
            good = is_code(word)
            terms.append((sign, word))
        if not good:
            break
    if good:
        return tuple(terms)
    msg = (
        f"cannot read {side.strip()!r} in {whole!r}: write field codes or whole numbers joined "
        "by + or -, e.g. sinh_nam + sinh_nu"
    )
    raise ValueError(msg)


def is_code(word: str) -> bool:
    """a-z, 0-9 and '_', starting with a letter: the shape of type and field codes."""
    return (
        word.isascii()
        and word[:1].isalpha()
        and word.replace("_", "a").isalnum()
        and (word == word.lower())
    )


class ReportRuleConfig(Section):
    """A check across number fields, with the message a reporter reads when it fails."""

    check: str
    message: LocalText

    @field_validator("check")
    @classmethod
    def _check(cls, value: str) -> str:
        parse_check(value)
        return " ".join(value.split())

    def parsed(self) -> RuleExpr:
        return parse_check(self.check)


class ReportTypeConfig(Section):
    """A kind of field report: its names, how values add up, its period, deadline and fields.

    mode `event`: each message adds (a birth as it happens); the period's value is the sum.
    mode `period`: one summary per village and period; a new one replaces the old.
    The deadline is `deadline_days` after the period's last day (0: that day itself); late
    reports are still taken for `accept_late_days` after it (null: always), then refused.
    """

    code: str
    name: LocalText
    aliases: tuple[str, ...] = ()
    mode: ReportMode = "event"
    period: PeriodKind = "month"
    deadline_days: int = Field(default=5, ge=0, le=366)
    accept_late_days: int | None = Field(default=30, ge=0)
    fields: tuple[ReportFieldConfig, ...] = Field(min_length=1)
    rules: tuple[ReportRuleConfig, ...] = ()
    dhis2: Dhis2Mapping | None = None  # where its number fields go in DHIS2 (bot/config/dhis2)

    _alias_text = field_validator("aliases", mode="before")(_texts)
    _code_text = field_validator("code", mode="before")(numbers_as_text)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _checked_code(value, what="type", example="danso or kehoach")

    @field_validator("aliases")
    @classmethod
    def _clean(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_squeeze(v) for v in value)
