"""Starting from the previous report, in period mode (counts that carry over, such as pregnant
women being followed): `/bc thaisan như kỳ trước` repeats the previous period's values,
`/bc thaisan như kỳ trước co thai 14` changes only the fields named; the step-by-step form offers
each previous value as the answer to keep (`g`, or the «Giữ 12» button).

"The previous report" is the latest version of the same type's report for the same village and
the period just before the one being reported; a retracted one does not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core.errors import UserError
from bot.core.periods import describe, parse_key
from bot.core.text import fold
from bot.features.reports.grammar.checks import broken_numbers, keeping_rules
from bot.features.reports.grammar.values import Value, command_head, render, sample_value
from bot.features.reports.types import FieldSpec, PhraseIndex, ReportType, ReportTypes

if TYPE_CHECKING:
    from bot.core.models import Area, Report
    from bot.store.interface.reports import ReportsRepo

# Folded; "như kỳ trước" is the documented one, the others are what people also write.
PHRASES = (
    "nhu ky truoc", "nhu ki truoc", "giong ky truoc", "nhu ky roi", "nhu lan truoc",
    "nhu thang truoc", "nhu tuan truoc", "nhu quy truoc", "nhu hom qua", "same as last",
)  # fmt: skip
PREVIOUS = PhraseIndex((p, p) for p in PHRASES)
# A form's answer that keeps the previous period's value: «g» is the typed twin of the button.
KEEP_WORDS = frozenset({"g", "giu", "giu nguyen", "nhu cu", "nhu ky truoc", "keep"})
KEEP_TYPED = "g"


def previous_key(period: str) -> str:
    """The key of the period before `period` ("2026-11" → "2026-10")."""
    return parse_key(period).previous().key


def base_report(repo: ReportsRepo, rt: ReportType, village: str, period: str) -> Report | None:
    """The previous period's report of this type and village, or None (none, or retracted)."""
    if rt.mode != "period":
        return None
    found = repo.get(f"{rt.code}:{village}:{previous_key(period)}")
    return None if found is None or found.retracted else found


def from_previous(
    repo: ReportsRepo,
    rt: ReportType,
    village: Area,
    period: str,
    changes: dict[str, Any],
    *,
    written: tuple[str | None, str | None],
    types: ReportTypes,
    today: date,
) -> tuple[Report, dict[str, Any]]:
    """The previous report and the values to store: its values with `changes` (stored forms)
    over them, checked as a whole. None to start from: refused, with the whole report to type.
    `written`: the period and village as the person wrote them, for the message to copy."""
    base = base_report(repo, rt, village.code, period)
    if base is None:
        raise none_before(rt, changes, types=types, today=today, period=period,
                          village=village.name, written=written)  # fmt: skip
    shown_period, shown_village = written
    values = start_from(rt, base, changes, types=types, today=today, period=shown_period,
                        village=shown_village)  # fmt: skip
    return base, values


def carried(rt: ReportType, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the previous report that still fit the type's fields, in its order (a
    field removed from config, or a value its limits no longer take, is not carried)."""
    return {
        spec.code: values[spec.code]
        for spec in rt.fields
        if spec.code in values and _fits(spec, values[spec.code])
    }


def _fits(spec: FieldSpec, value: Any) -> bool:
    if spec.kind == "number":
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (spec.min <= value <= spec.max)
        )
    if spec.kind == "yesno":
        return isinstance(value, bool)
    if spec.kind == "choice":
        return value in spec.options
    if spec.kind == "text":
        return isinstance(value, str) and len(value) <= spec.max_length
    return isinstance(value, str)  # a date, as ISO text


def start_from(
    rt: ReportType,
    base: Report,
    changes: dict[str, Any],
    *,
    types: ReportTypes,
    today: date,
    period: str | None,
    village: str | None,
) -> dict[str, Any]:
    """The previous values with `changes` (stored forms) over them, checked as a whole: the
    required fields and every rule. A refusal shows the message to copy: `như kỳ trước` with
    the changes that make it right. `period` and `village` are as the person wrote them."""
    values = {**carried(rt, base.values), **changes}
    values = {spec.code: values[spec.code] for spec in rt.fields if spec.code in values}
    missing = [spec for spec in rt.fields if spec.required and spec.code not in values]
    broken = next((rule for rule in rt.rules if not rule.holds(values)), None)
    if not missing and broken is None:
        return values

    def shown() -> str:
        whole = {**values, **{s.code: sample_value(s, today) for s in missing}}
        fixed = keeping_rules(rt, whole) or whole
        named = {
            code: value for code, value in fixed.items()
            if code in changes or values.get(code) != value
        }  # fmt: skip
        return render(rt, _parsed_forms(rt, named), types=types, period=period,
                      village=village, previous=True)  # fmt: skip

    if missing:
        names = ", ".join(spec.name_vi for spec in missing)
        raise UserError("report.missing_required", fields=names, example=shown())
    assert broken is not None
    raise UserError(
        "report.rule",
        message=broken.message_vi,
        rule=broken.text,
        numbers=broken_numbers(broken, rt, values),
        example=shown(),
    )


def none_before(
    rt: ReportType,
    changes: dict[str, Any],
    *,
    types: ReportTypes,
    today: date,
    period: str,
    village: str,
    written: tuple[str | None, str | None] = (None, None),
) -> UserError:
    """No previous report to start from: say so, with the whole report to type (the changes
    given kept, every other field with an example value) and the form's command. `written`:
    the period and village as the person wrote them, for the example."""
    values: dict[str, Value] = {spec.code: sample_value(spec, today) for spec in rt.fields}
    values.update(_parsed_forms(rt, changes))
    fixed = keeping_rules(rt, values) or values
    shown_period, shown_village = written
    example = render(rt, fixed, types=types, period=shown_period, village=shown_village)
    return UserError(
        "report.previous_none",
        type=rt.name_vi,
        period=describe(previous_key(period), "vi"),
        village=village,
        example=example,
        form=command_head(rt, types),
    )


def _parsed_forms(rt: ReportType, values: Mapping[str, Any]) -> dict[str, Value]:
    """Stored values as the grammar reads them back (a date field's ISO text as a date)."""
    out: dict[str, Value] = {}
    for code, value in values.items():
        if rt.field(code).kind == "date" and isinstance(value, str):
            out[code] = date.fromisoformat(value)
        else:
            out[code] = value
    return out


def as_answer(value: Any) -> str:
    """A stored value as a typed answer to the form reads it ("có", "24/11/2026", "12")."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    return str(value)


def is_keep(text: str) -> bool:
    """Whether a typed answer asks to keep the previous value."""
    return fold(text).rstrip(".!") in KEEP_WORDS
