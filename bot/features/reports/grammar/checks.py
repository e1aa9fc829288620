"""A report's rules as people read them: the numbers that break one, and values that keep all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.features.reports.types import ReportType, Rule, Term

# The comparison a broken rule's numbers make instead ("1 + 2 = 3 ≠ 2").
_BROKEN = {"=": "≠", "!=": "=", "<": "≥", "<=": ">", ">": "≤", ">=": "<"}
# Small numbers tried, in the type's field order, for the fields of a rule no fix solves.
_PATTERNS = ((2, 1, 1, 1, 1, 1), (1, 1, 1, 1, 1, 1), (1, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0))


def broken_numbers(rule: Rule, rt: ReportType, values: Mapping[str, Any]) -> str:
    """The rule with the numbers given: "Sinh con trai 1 + Sinh con gái 2 = 3 ≠ Sinh 2"."""
    return f"{_side(rule.left, rt, values)} {_BROKEN[rule.op]} {_side(rule.right, rt, values)}"


def _side(terms: tuple[Term, ...], rt: ReportType, values: Mapping[str, Any]) -> str:
    shown = []
    for index, (sign, ref) in enumerate(terms):
        text = str(ref) if isinstance(ref, int) else f"{rt.field(ref).name_vi} {values[ref]}"
        shown.append(text if index == 0 and sign > 0 else f"{'+' if sign > 0 else '-'} {text}")
    if len(terms) > 1:
        shown.append(f"= {_total(terms, values)}")
    return " ".join(shown).removeprefix("+ ")


def _total(terms: tuple[Term, ...], values: Mapping[str, Any]) -> int:
    return sum(sign * (ref if isinstance(ref, int) else int(values[ref])) for sign, ref in terms)


def keeping_rules(rt: ReportType, values: dict[str, Any]) -> dict[str, Any] | None:
    """The values with those of broken rules changed so that every rule holds; None if no
    small change does. A sum is recomputed from its parts ("trai 1 + gái 2" gives Sinh 3);
    other rules get small numbers in their fields."""
    fixed = dict(values)
    for rule in rt.rules:
        if not rule.holds(fixed):
            fixed = _solved(rule, rt, fixed) or fixed
    if _holds(rt, fixed):
        return fixed
    broken = {code for rule in rt.rules if not rule.holds(values) for code in rule.fields()}
    codes = [f.code for f in rt.fields if f.code in broken]
    for pattern in _PATTERNS:
        trial = {**values}
        for code, number in zip(codes, pattern, strict=False):
            spec = rt.field(code)
            trial[code] = min(max(number, spec.min), spec.max)
        if _holds(rt, trial):
            return trial
    return None


def _solved(rule: Rule, rt: ReportType, values: dict[str, Any]) -> dict[str, Any] | None:
    """`a + b = c` with c alone on its side: c becomes a + b, if that is a value c takes."""
    if rule.op != "=":
        return None
    for alone, other in ((rule.right, rule.left), (rule.left, rule.right)):
        if len(alone) == 1 and alone[0][0] == 1 and isinstance(alone[0][1], str):
            code = alone[0][1]
            total = _total(other, values)
            spec = rt.field(code)
            if spec.min <= total <= spec.max:
                return {**values, code: total}
    return None


def _holds(rt: ReportType, values: Mapping[str, Any]) -> bool:
    return all(rule.holds(values) for rule in rt.rules)
