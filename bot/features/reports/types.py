"""Report types as the services see them: fields, rules and lookup by folded name or alias."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.core.periods import PeriodKind
from bot.core.text import fold
from bot.core.workdays import EVERY_DAY, WorkCalendar

if TYPE_CHECKING:
    from bot.config.reports import ReportTypeConfig

FieldKind = Literal["number", "yesno", "choice", "text", "date"]
ReportMode = Literal["event", "period"]
Term = tuple[int, str | int]  # (sign, field code or whole number)

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field: its code, names, value kind and limits."""

    code: str
    name_vi: str
    name_en: str
    aliases: tuple[str, ...] = ()
    kind: FieldKind = "number"
    required: bool = False
    min: int = 0
    max: int = 999
    options: tuple[str, ...] = ()
    max_length: int = 200
    units: tuple[str, ...] = ()  # words that may follow the number ("2 ca", "1 cặp")

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def names(self) -> tuple[str, ...]:
        """Every name people may type for it, as written in config."""
        return tuple(dict.fromkeys((self.name_vi, self.name_en, *self.aliases)))


@dataclass(frozen=True, slots=True)
class Rule:
    """A check across number fields; applies when a report gives every field it names."""

    text: str
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    message_vi: str
    message_en: str

    def fields(self) -> tuple[str, ...]:
        refs = [ref for _, ref in (*self.left, *self.right) if isinstance(ref, str)]
        return tuple(dict.fromkeys(refs))

    def applies(self, values: Mapping[str, Any]) -> bool:
        return all(code in values for code in self.fields())

    def holds(self, values: Mapping[str, Any]) -> bool:
        """Whether the values pass; a rule that does not apply passes."""
        if not self.applies(values):
            return True

        def total(terms: tuple[Term, ...]) -> int:
            return sum(
                sign * (ref if isinstance(ref, int) else int(values[ref])) for sign, ref in terms
            )

        return _COMPARE[self.op](total(self.left), total(self.right))

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_vi


@dataclass(frozen=True, slots=True)
class ReportType:
    """A kind of field report with its fields, rules, period and deadline rules."""

    code: str
    name_vi: str
    name_en: str
    fields: tuple[FieldSpec, ...]
    aliases: tuple[str, ...] = ()
    mode: ReportMode = "event"
    period: PeriodKind = "month"
    deadline_days: int = 5
    accept_late_days: int | None = 30
    rules: tuple[Rule, ...] = ()
    workdays: WorkCalendar = EVERY_DAY  # a deadline on a day off moves to the next working day

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.code, self.name_vi, self.name_en, *self.aliases)))

    def field(self, code: str) -> FieldSpec:
        """The field with this code; KeyError if the type has none."""
        for spec in self.fields:
            if spec.code == code:
                return spec
        raise KeyError(code)


class PhraseIndex:
    """Folded multi-word phrases → a value, matched longest first on a list of folded words."""

    def __init__(self, phrases: Iterable[tuple[str, Any]]) -> None:
        self._by_words: dict[tuple[str, ...], Any] = {}
        for phrase, value in phrases:
            words = tuple(fold(phrase).split())
            if words:
                self._by_words.setdefault(words, value)
        self._longest = max(map(len, self._by_words), default=0)

    def match(self, words: Sequence[str]) -> tuple[Any, int] | None:
        """The value of the longest phrase `words` starts with, and how many words it took."""
        for size in range(min(self._longest, len(words)), 0, -1):
            value = self._by_words.get(tuple(words[:size]))
            if value is not None:
                return value, size
        return None

    def phrases(self) -> list[str]:
        return [" ".join(words) for words in self._by_words]

    def get(self, phrase: str) -> Any:
        return self._by_words.get(tuple(fold(phrase).split()))


class ReportTypes:
    """The configured report types, the default one, and name lookups."""

    def __init__(self, types: Iterable[ReportType], *, default: str | None = None) -> None:
        self._types = {t.code: t for t in types}
        if not self._types:
            msg = "no report types"
            raise ValueError(msg)
        code = default or next(iter(self._types))
        if code not in self._types:
            msg = f"the default report type {code!r} is not configured"
            raise ValueError(msg)
        self.default = self._types[code]
        self.type_index = PhraseIndex((n, t) for t in self._types.values() for n in t.names())
        # Field codes match too (after the names, which win), for people who read exports.
        self._fields = {
            t.code: PhraseIndex(
                [(n, f) for f in t.fields for n in f.names()] + [(f.code, f) for f in t.fields]
            )
            for t in self._types.values()
        }

    @classmethod
    def from_config(
        cls,
        types: Sequence[ReportTypeConfig],
        *,
        default: str | None = None,
        workdays: WorkCalendar = EVERY_DAY,
    ) -> ReportTypes:
        """Build from `config.report_types` and `config.default_report_type`; `workdays` from
        `config.holidays` (its deadlines move over holidays)."""
        return cls((convert(t, workdays) for t in types), default=default)

    def __iter__(self) -> Iterator[ReportType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def get(self, code: str) -> ReportType | None:
        return self._types.get(code)

    def by_name(self, text: str) -> ReportType | None:
        """The type whose code, name or alias is `text` (case and diacritics ignored)."""
        found: ReportType | None = self.type_index.get(text)
        return found

    def fields_of(self, code: str) -> PhraseIndex:
        """The field-name index of one type."""
        return self._fields[code]


def convert(cfg: ReportTypeConfig, workdays: WorkCalendar = EVERY_DAY) -> ReportType:
    """A config model (bot.config.reports.ReportTypeConfig) as plain frozen values."""
    fields = tuple(
        FieldSpec(
            code=f.code,
            name_vi=f.name.vi,
            name_en=f.name.en or f.name.vi,
            aliases=tuple(f.aliases),
            kind=f.type,
            required=f.required,
            min=f.bounds()[0],
            max=f.bounds()[1],
            options=tuple(f.options),
            max_length=f.max_length,
            units=f.unit_words(),
        )
        for f in cfg.fields
    )
    rules = []
    for r in cfg.rules:
        expr = r.parsed()
        rules.append(
            Rule(
                text=r.check,
                left=expr.left,
                op=expr.op,
                right=expr.right,
                message_vi=r.message.vi,
                message_en=r.message.en or r.message.vi,
            )
        )
    return ReportType(
        code=cfg.code,
        name_vi=cfg.name.vi,
        name_en=cfg.name.en or cfg.name.vi,
        fields=fields,
        aliases=tuple(cfg.aliases),
        mode=cfg.mode,
        period=cfg.period,
        deadline_days=cfg.deadline_days,
        accept_late_days=cfg.accept_late_days,
        rules=tuple(rules),
        workdays=workdays,
    )
