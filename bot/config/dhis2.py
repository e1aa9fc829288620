"""DHIS2 in config.yaml: the server (`dhis2:`), each report type's field mapping
(`report_types[].dhis2`), and the areas' organisation units, from the file or a CSV beside it.

Credentials never come from the file: a personal access token in DHIS2_API_TOKEN, or a user in
DHIS2_USERNAME and DHIS2_PASSWORD (load_config fills them in)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator

from bot.config.base import Problem, Section, numbers_as_text

TOKEN_ENV = "DHIS2_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)
USERNAME_ENV, PASSWORD_ENV = "DHIS2_USERNAME", "DHIS2_PASSWORD"
# DHIS2's identifiers: a letter, then ten letters or digits (e.g. DiszpKrYNg8).
_UID = re.compile(r"[A-Za-z][A-Za-z0-9]{10}")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def is_uid(value: str) -> bool:
    return bool(_UID.fullmatch(value))


def _uid(value: str, what: str) -> str:
    value = value.strip()
    if not is_uid(value):
        msg = (
            f"{value!r} is not a DHIS2 {what} id: 11 letters and digits starting with a letter, "
            "as DHIS2 shows it (e.g. DiszpKrYNg8)"
        )
        raise ValueError(msg)
    return value


class Dhis2Field(Section):
    """Where one number field goes: a data element and, optionally, its category option combo
    (none: DHIS2's default combo). `sinh: f7n9E0hX8qk` is short for the data element alone."""

    data_element: str
    category_option_combo: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"data_element": value} if isinstance(value, str) else value

    @field_validator("data_element")
    @classmethod
    def _element(cls, value: str) -> str:
        return _uid(value, "data element")

    @field_validator("category_option_combo")
    @classmethod
    def _combo(cls, value: str | None) -> str | None:
        return None if value is None else _uid(value, "category option combo")


class Dhis2Mapping(Section):
    """A report type's `dhis2:`: its data set, and its number fields' data elements."""

    data_set: str | None = None
    fields: dict[str, Dhis2Field] = Field(min_length=1)

    @field_validator("data_set")
    @classmethod
    def _data_set(cls, value: str | None) -> str | None:
        return None if value is None else _uid(value, "data set")

    @model_validator(mode="after")
    def _distinct(self) -> Dhis2Mapping:
        seen: dict[tuple[str, str | None], str] = {}
        for code, target in self.fields.items():
            key = (target.data_element, target.category_option_combo)
            if key in seen:
                msg = (
                    f"fields {seen[key]!r} and {code!r} go to the same data element and "
                    "category option combo: DHIS2 would keep only one of them"
                )
                raise ValueError(msg)
            seen[key] = code
        return self


class Dhis2Section(Section):
    """The DHIS2 server the numbers go to, the areas' organisation units, and the daily push."""

    base_url: str
    # Area code → organisation unit id; more may come from org_units_file (a CSV beside
    # config.yaml: area_code,org_unit[,anything else], an optional header line).
    org_units: dict[str, str] = Field(default_factory=dict)
    org_units_file: str | None = None
    daily_at: time | None = None  # push every day at this local time; None: only on demand
    # The daily push sends the periods that have ended and still take late reports; with this
    # on, the period under way too (its numbers so far).
    daily_current: bool = False
    timeout_seconds: float = Field(default=60, gt=0, le=600)
    # Filled from the environment by load_config, never from the file.
    api_token: SecretStr | None = Field(default=None, exclude=True, repr=False)
    username: str | None = Field(default=None, exclude=True, repr=False)
    password: SecretStr | None = Field(default=None, exclude=True, repr=False)

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = "base_url must be the server's address, e.g. https://dhis2.example.gov.vn"
            raise ValueError(msg)
        if parts.username or parts.password:
            msg = f"no user or password in base_url: put them in {USERNAME_ENV}/{PASSWORD_ENV}"
            raise ValueError(msg)
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            msg = "base_url must start with https:// (the login travels with every request)"
            raise ValueError(msg)
        return url.removesuffix("/api")

    @field_validator("org_units", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(numbers_as_text(k)).strip(): v for k, v in value.items()}
        return value

    @field_validator("org_units")
    @classmethod
    def _units(cls, value: dict[str, str]) -> dict[str, str]:
        return {code: _uid(uid, "organisation unit") for code, uid in value.items()}

    def credentials_note(self) -> str | None:
        """What is missing from the environment to log in, or None."""
        if self.api_token is not None or (self.username and self.password is not None):
            return None
        return f"set {TOKEN_ENV} (a personal access token), or {USERNAME_ENV} and {PASSWORD_ENV}"


def complete_dhis2(
    section: Dhis2Section, *, folder: Path, environ: Mapping[str, str]
) -> Dhis2Section:
    """The section with the CSV's organisation units added and the login from the environment
    (call after dhis2_problems found nothing)."""

    def env(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    units = dict(section.org_units)
    if section.org_units_file:
        text = (folder / section.org_units_file).read_text(encoding="utf-8-sig")
        units.update((code, uid) for _, code, uid in _csv_rows(text))
    token, password = env(TOKEN_ENV), env(PASSWORD_ENV)
    return section.model_copy(
        update={
            "org_units": units,
            "api_token": SecretStr(token) if token else None,
            "username": env(USERNAME_ENV),
            "password": SecretStr(password) if password else None,
        }
    )


def _csv_rows(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, area code, org unit) of each row; a first row whose second cell is no id is
    a header."""
    for index, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if index == 1 and (len(cells) < 2 or not is_uid(cells[1])):
            continue
        yield index, cells[0], cells[1] if len(cells) > 1 else ""


def _model(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None  # the main validation reports why


def _tree(node: Any, above: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(code, codes from the root down to it) of every area of a raw tree that reads."""
    if not isinstance(node, Mapping) or node.get("code") is None:
        return
    code = str(numbers_as_text(node["code"])).strip()
    path = (*above, code)
    yield code, path
    for child in node.get("children") or ():
        yield from _tree(child, path)


def dhis2_problems(raw: Mapping[str, Any], *, folder: Path) -> list[Problem]:
    """What the DHIS2 settings get wrong across keys: fields that are not number fields of
    their type, areas that do not exist, the CSV of organisation units, areas mapped inside
    areas that are mapped too (DHIS2 adds values up its tree: they would count twice)."""
    problems: list[Problem] = []
    types = raw.get("report_types")
    mapped = False
    for index, entry in enumerate(types if isinstance(types, list) else []):
        if not isinstance(entry, Mapping) or entry.get("dhis2") is None:
            continue
        mapped = True
        problems += _field_problems(f"report_types[{index}].dhis2", entry)
    section = _model(Dhis2Section, raw.get("dhis2")) if raw.get("dhis2") is not None else None
    if section is None:
        if mapped and raw.get("dhis2") is None:
            msg = "a report type maps fields to DHIS2 but there is no `dhis2:` section"
            problems.append(Problem("dhis2", f"{msg} (base_url, org_units)"))
        return problems
    paths = dict(_tree(raw.get("areas")))
    units: dict[str, tuple[str, str]] = {}  # area code → (where it is mapped, org unit)
    for code, uid in section.org_units.items():
        where = f"dhis2.org_units.{code}"
        if paths and code not in paths:
            problems.append(Problem(where, f"no area has the code {code!r}"))
        units[code] = (where, uid)
    if section.org_units_file:
        problems += _file_problems(section.org_units_file, folder, paths, units)
    if not units and not any(p.path.startswith("dhis2.org_units") for p in problems):
        msg = "map at least one area to its organisation unit (here or in org_units_file)"
        problems.append(Problem("dhis2.org_units", msg))
    for code, (where, _) in units.items():
        above = [c for c in paths.get(code, ())[:-1] if c in units]
        if above:
            msg = (
                f"{code!r} lies inside {above[-1]!r}, which is mapped too: DHIS2 adds values "
                "up its tree, so they would count twice; map one level only"
            )
            # A row of the CSV is named by its line, inside the file's key.
            if not where.startswith("dhis2."):
                where, msg = "dhis2.org_units_file", f"{where}: {msg}"
            problems.append(Problem(where, msg))
    return problems


def _field_problems(path: str, entry: Mapping[str, Any]) -> list[Problem]:
    mapping = _model(Dhis2Mapping, entry.get("dhis2"))
    fields = entry.get("fields")
    if mapping is None or not isinstance(fields, list):
        return []
    kinds = {str(f.get("code")): f.get("type", "number") for f in fields if isinstance(f, Mapping)}
    problems = []
    for code in mapping.fields:
        if code not in kinds:
            known = ", ".join(k for k, kind in kinds.items() if kind == "number")
            msg = f"the type has no field {code!r}; its number fields: {known}"
            problems.append(Problem(f"{path}.fields.{code}", msg))
        elif kinds[code] != "number":
            msg = f"{code!r} is a {kinds[code]} field: only number fields add up for DHIS2"
            problems.append(Problem(f"{path}.fields.{code}", msg))
    return problems


def _file_problems(
    name: str, folder: Path, paths: Mapping[str, tuple[str, ...]], units: dict[str, Any]
) -> list[Problem]:
    """Each row of the CSV of organisation units, checked; good rows are added to `units`."""
    where = "dhis2.org_units_file"
    file = folder / name
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [Problem(where, f"file not found: {file}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(where, f"cannot read {file}: {exc}")]
    problems = []
    for line, code, uid in _csv_rows(text):
        at = f"{name} line {line}"
        if not is_uid(uid):
            msg = f"{at}: {uid!r} is not an organisation unit id (e.g. DiszpKrYNg8)"
            problems.append(Problem(where, msg))
        elif paths and code not in paths:
            problems.append(Problem(where, f"{at}: no area has the code {code!r}"))
        elif code in units and units[code][1] != uid:
            msg = f"{at}: {code!r} is mapped to {units[code][1]} already ({units[code][0]})"
            problems.append(Problem(where, msg))
        else:
            units.setdefault(code, (at, uid))
    return problems
