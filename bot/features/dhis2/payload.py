"""The dataValueSet DHIS2 takes (POST /api/dataValueSets, JSON), and DHIS2's period ids."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.core.periods import Period, parse_key

if TYPE_CHECKING:
    from bot.features.dhis2.aggregates import Aggregate
    from bot.features.dhis2.mapping import OrgUnits, TypeMap

# DHIS2's own ways of writing a period, read back into ours (the CLI takes either).
_DHIS2_FORMS = (
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "{0}-{1}-{2}"),  # daily 20261124
    (re.compile(r"(\d{4})(\d{2})"), "{0}-{1}"),  # monthly 202611
    (re.compile(r"(\d{4})W(\d{1,2})"), "{0}-W{1:0>2}"),  # weekly 2026W45
    (re.compile(r"(\d{4})Q([1-4])"), "{0}-Q{1}"),  # quarterly 2026Q4
)


def dhis2_period(period: Period | str) -> str:
    """Our period as DHIS2 names it: 202611, 2026W45 (ISO week), 2026Q4, 20261124."""
    p = parse_key(period) if isinstance(period, str) else period
    key = p.key
    if p.kind == "day":
        return key.replace("-", "")
    if p.kind == "week":
        year, week = key.split("-W")
        return f"{year}W{int(week)}"
    return key.replace("-", "")


def read_period(text: str) -> Period:
    """A period as typed on the command line, ours (2026-11) or DHIS2's (202611); ValueError
    naming both forms otherwise."""
    text = text.strip().upper()
    for pattern, form in _DHIS2_FORMS:
        if match := pattern.fullmatch(text):
            text = form.format(*match.groups())
            break
    try:
        return parse_key(text)
    except ValueError:
        msg = (
            f"not a period: {text!r}; write 2026-11 (or 202611), 2026-W45 (2026W45), "
            "2026-Q4 (2026Q4) or 2026-11-24 (20261124)"
        )
        raise ValueError(msg) from None


def data_value_set(agg: Aggregate, tm: TypeMap, units: OrgUnits) -> dict[str, Any]:
    """The JSON body: the data set and period once, one data value per unit and field (values
    as text, as DHIS2 writes them; no combo means DHIS2's default one)."""
    values: list[dict[str, str]] = []
    for v in agg.values:
        target = tm.fields[v.field]
        value = {"dataElement": target.data_element, "orgUnit": units.uid(v.unit)}
        if target.category_option_combo:
            value["categoryOptionCombo"] = target.category_option_combo
        value["value"] = str(v.value)
        values.append(value)
    body: dict[str, Any] = {}
    if tm.data_set:
        body["dataSet"] = tm.data_set
    body["period"] = dhis2_period(agg.period)
    body["dataValues"] = values
    return body
