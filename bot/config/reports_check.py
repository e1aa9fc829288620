"""Checks of `report_types` that need more than one key: duplicates, name clashes, references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from bot.config.base import Problem
from bot.config.reports import ReportFieldConfig, ReportRuleConfig, ReportTypeConfig
from bot.core.text import fold

# Words the report grammar reads itself (periods, villages, zero); a field or type named so
# could never be typed. Kept equal to the grammar's own lists by tests/config/test_report_config.
RESERVED_WORDS = frozenset(
    {
        "thang", "tuan", "quy", "ngay", "hom nay", "hom qua", "homnay", "homqua",
        "thon", "xom", "tdp", "to dan pho",
        "khong", "ko",
    }
)  # fmt: skip
_SEPARATORS = ",;|:="


def _model(model: Any, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None  # the main validation reports why


def _name_problem(name: str) -> str | None:
    """Why people could not type this name, or None."""
    folded = fold(name)
    if any(c in name for c in _SEPARATORS):
        return f"{name!r} contains one of {_SEPARATORS}, which separate fields in a message"
    if folded in RESERVED_WORDS:
        return f"{name!r} is a word of the report grammar (periods, villages, zero); pick another"
    if folded.replace(" ", "").isdigit():
        return f"{name!r} is only digits, which read as a value; add a word"
    head = folded.split()[0]
    if len(head) > 1 and head[0] in "tq" and head[1].isdigit():
        return f"{name!r} starts like a period ({head} = month or quarter); pick another"
    if "/" in head and head.split("/")[0].isdigit():
        return f"{name!r} starts like a period or date; pick another"
    return None


def _names(path: str, name: Any, aliases: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(key path, text) of every name and alias of a type or field."""
    yield f"{path}.name.vi", name.vi
    if name.en:
        yield f"{path}.name.en", name.en
    for index, alias in enumerate(aliases):
        yield f"{path}.aliases[{index}]", alias


def _fields(path: str, entries: list[Any]) -> tuple[list[tuple[str, Any]], list[Problem]]:
    """The fields that validate, with their paths, and problems of single fields."""
    found: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        where = f"{path}.fields[{index}]"
        spec = _model(ReportFieldConfig, entry)
        if spec is None:
            continue
        found.append((where, spec))
        if spec.type != "number" and (spec.min is not None or spec.max is not None):
            key = "min" if spec.min is not None else "max"
            problems.append(Problem(f"{where}.{key}", "min and max apply to number fields only"))
        elif spec.min is not None and spec.max is not None and spec.min > spec.max:
            problems.append(Problem(f"{where}.min", f"min {spec.min} is more than max {spec.max}"))
        if spec.type == "choice" and len(spec.options) < 2:
            problems.append(
                Problem(f"{where}.options", "a choice field needs at least two options")
            )
        elif spec.type != "choice" and spec.options:
            problems.append(Problem(f"{where}.options", "only choice fields have options"))
        seen: set[str] = set()
        for at, option in enumerate(spec.options):
            if fold(option) in seen:
                problems.append(
                    Problem(f"{where}.options[{at}]", f"{option!r} repeats an earlier option")
                )
            seen.add(fold(option))
        problems += _unit_problems(where, spec)
    return found, problems


def _unit_problems(where: str, spec: ReportFieldConfig) -> list[Problem]:
    """Units follow a count: number fields only, each typeable, none twice."""
    if spec.units and spec.type != "number":
        return [Problem(f"{where}.units", "units apply to number fields only")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for at, unit in enumerate(spec.units or ()):
        why = _name_problem(unit)
        if why is None and fold(unit) in seen:
            why = f"{unit!r} repeats an earlier unit"
        if why is not None:
            problems.append(Problem(f"{where}.units[{at}]", why))
        seen.add(fold(unit))
    return problems


def _type_problems(path: str, raw: dict[str, Any]) -> tuple[list[Problem], dict[str, str]]:
    """Problems inside one type; plus its fields' folded names → key path."""
    entries = raw.get("fields")
    entries = entries if isinstance(entries, list) else []
    fields, problems = _fields(path, entries)
    # Codes of fields that fail validation: the main validation reports them, and a rule
    # naming one is not "unknown".
    broken = {str(e.get("code")) for e in entries if isinstance(e, dict)}
    broken -= {spec.code for _, spec in fields}
    codes: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}  # folded → (field code, key path)
    kinds: dict[str, str] = {}
    for where, spec in fields:
        if spec.code in codes:
            problems.append(
                Problem(
                    f"{where}.code",
                    f"duplicate field code {spec.code!r} (also {codes[spec.code]})",
                )
            )
            continue
        codes[spec.code] = where
        kinds[spec.code] = spec.type
        for at, text in _names(where, spec.name, spec.aliases):
            why = _name_problem(text)
            other = names.get(fold(text))
            if why:
                problems.append(Problem(at, why))
            elif other and other[0] != spec.code:
                problems.append(
                    Problem(
                        at,
                        f"{text!r} is also a name of field {other[0]!r} ({other[1]}); "
                        "after ignoring case and diacritics every name must be unique",
                    )
                )
            else:
                names.setdefault(fold(text), (spec.code, at))
    for where, spec in fields:
        for at, unit in enumerate(spec.units or ()):
            clash = names.get(fold(unit))
            if clash:
                problems.append(
                    Problem(
                        f"{where}.units[{at}]",
                        f"{unit!r} is also a name of field {clash[0]!r} ({clash[1]}); "
                        "a unit must not read as a field",
                    )
                )
    rules = raw.get("rules")
    for index, entry in enumerate(rules if isinstance(rules, list) else []):
        rule = _model(ReportRuleConfig, entry)
        if rule is None or not kinds:
            continue
        for ref in rule.parsed().fields():
            if kinds.get(ref) != "number" and ref not in broken:
                known = ", ".join(c for c, k in kinds.items() if k == "number") or "none"
                what = "is not a number field" if ref in kinds else "is not a field of this type"
                problems.append(
                    Problem(
                        f"{path}.rules[{index}].check",
                        f"{ref!r} {what}; rules compare number fields ({known})",
                    )
                )
    return problems, {name: where for name, (_, where) in names.items()}


def report_problems(raw: dict[str, Any]) -> list[Problem]:
    """Every problem of `report_types` and `default_report_type` that one key cannot show."""
    entries = raw.get("report_types")
    entries = entries if isinstance(entries, list) else []
    default = raw.get("default_report_type")
    problems: list[Problem] = []
    field_names: dict[str, str] = {}
    headers: list[tuple[str, Any]] = []
    for index, entry in enumerate(entries):
        path = f"report_types[{index}]"
        if not isinstance(entry, dict):
            continue
        inner, names = _type_problems(path, entry)
        problems += inner
        for name, where in names.items():
            field_names.setdefault(name, where)
        # The header alone, so that a broken field does not hide a duplicate type code.
        header = _model(
            ReportTypeConfig, {**entry, "fields": [{"code": "x", "name": "x"}], "rules": []}
        )
        if header is not None:
            headers.append((path, header))
    codes: dict[str, str] = {}
    type_names: dict[str, str] = {}
    for path, header in headers:
        if header.code in codes:
            problems.append(
                Problem(
                    f"{path}.code",
                    f"duplicate type code {header.code!r} (also {codes[header.code]})",
                )
            )
            continue
        codes[header.code] = path
        texts = [(f"{path}.code", header.code), *_names(path, header.name, header.aliases)]
        for at, text in texts:
            folded = fold(text)
            why = _name_problem(text)
            if why:
                problems.append(Problem(at, why))
            elif folded in field_names:
                problems.append(
                    Problem(
                        at,
                        f"{text!r} is also a field name ({field_names[folded]}); a message "
                        "starting with it would be ambiguous",
                    )
                )
            elif type_names.get(folded, path) != path:
                problems.append(Problem(at, f"{text!r} is also a name of {type_names[folded]}"))
            type_names.setdefault(folded, path)
    # Codes as written, even of types that fail validation, so that one mistake in a type
    # does not also report the default as missing.
    written = {str(e.get("code")): "" for e in entries if isinstance(e, dict)}
    problems += _default_problems(default, written, has_types=bool(entries))
    return problems


def _default_problems(default: Any, codes: dict[str, str], *, has_types: bool) -> list[Problem]:
    where = "default_report_type"
    if default is None:
        if len(codes) > 1:
            choices = ", ".join(codes)
            return [Problem(where, f"name the type used when a message names none ({choices})")]
        return []
    if not has_types:
        return [Problem(where, "there are no report_types to choose from")]
    if codes and str(default) not in codes:
        return [
            Problem(where, f"no report type has the code {default!r} (types: {', '.join(codes)})")
        ]
    return []
