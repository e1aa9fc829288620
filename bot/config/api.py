"""The `api` section of config.yaml: the read-only API for dashboards and who may read it.

Each client names the environment variable that holds its token (never the token itself), the
scopes it is given and, optionally, the areas it is limited to. load_config reads the tokens
from the environment; `api_problems` checks what spans sections (area codes, tokens).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from bot.config.base import Problem, Section, numbers_as_text

Scope = Literal[
    "areas:read",
    "reports:read",
    "completeness:read",
    "directives:read",
    "text:read",
    "people:names",
]
# What each scope lets a client read (docs/api.md says the same for people).
SCOPES: dict[str, str] = {
    "areas:read": "the area tree",
    "reports:read": "reports: numbers, choices, yes/no answers and dates",
    "completeness:read": "completeness per area and period (who reported, on time, missing)",
    "directives:read": "directives and who acknowledged them, per area",
    "text:read": "free text people typed: report text fields and directive texts",
    "people:names": "names of collaborators and reporters (otherwise pseudonymous ids)",
}
MIN_TOKEN_LENGTH = 32  # e.g. `openssl rand -hex 32` gives 64 characters
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
_ENV = re.compile(r"[A-Z][A-Z0-9_]{0,100}")
# Variables the bot reads for itself: a client's token must never be one of them.
_RESERVED_ENV = frozenset(
    {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "BOT_CONFIG", "BOT_DATA_DIR", "BOT_WEB_PORT"}
)
_RESERVED_PREFIXES = ("ZALO_BOT_TOKEN_", "ZALO_WEBHOOK_SECRET_")


class ApiClient(Section):
    """One dashboard or system that reads the API."""

    name: str  # shown in the bot's log with each request it makes
    env: str  # the environment variable holding its token
    scopes: tuple[Scope, ...]
    areas: tuple[str, ...] = ()  # area codes it may read (each with its subtree); empty: all
    # Filled from the environment by load_config, never from the file.
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            msg = f"{value!r}: a client name uses a-z, 0-9, '_' and '-', e.g. dashboard-province"
            raise ValueError(msg)
        return value

    @field_validator("env")
    @classmethod
    def _env(cls, value: str) -> str:
        if not _ENV.fullmatch(value):
            msg = (
                f"{value!r}: name an environment variable (A-Z, 0-9, '_'), "
                "e.g. API_TOKEN_DASHBOARD"
            )
            raise ValueError(msg)
        if value in _RESERVED_ENV or value.startswith(_RESERVED_PREFIXES):
            msg = f"{value} is the bot's own variable: give the client a variable of its own"
            raise ValueError(msg)
        return value

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            msg = f"give the client at least one scope: {', '.join(SCOPES)}"
            raise ValueError(msg)
        return tuple(dict.fromkeys(value))

    @field_validator("areas", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(numbers_as_text(v) for v in value)
        return value


class ApiSection(Section):
    """The read-only API under /api/v1 on the bot's web server (off unless enabled)."""

    enabled: bool = False
    page_size: int = Field(default=100, ge=1, le=1000)  # items per page when none is asked
    max_page_size: int = Field(default=500, ge=1, le=1000)  # the most a client may ask for
    clients: tuple[ApiClient, ...] = ()

    @model_validator(mode="after")
    def _pages(self) -> ApiSection:
        if self.page_size > self.max_page_size:
            msg = f"page_size ({self.page_size}) cannot exceed max_page_size"
            raise ValueError(msg)
        return self

    def secret_values(self) -> list[str]:
        """The clients' tokens, for the log redactor."""
        return [c.token.get_secret_value() for c in self.clients if c.token is not None]


def with_tokens(section: ApiSection, environ: Mapping[str, str]) -> ApiSection:
    """The section with each client's token read from its environment variable."""
    clients = tuple(
        c.model_copy(update={"token": SecretStr(v) if (v := _env(environ, c.env)) else None})
        for c in section.clients
    )
    return section.model_copy(update={"clients": clients})


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def token_env_for(raw: Mapping[str, Any], path: str) -> str:
    """The variable a token written under `api` at `path` belongs in: its client's `env`."""
    found = re.match(r"api\.clients\[(\d+)\]", path)
    section = raw.get("api")
    clients = section.get("clients") if isinstance(section, dict) and found else None
    entry = clients[int(found.group(1))] if found and isinstance(clients, list) else None
    env = entry.get("env") if isinstance(entry, dict) else None
    return env if isinstance(env, str) and _ENV.fullmatch(env) else "API_TOKEN_<NAME>"


def api_problems(
    raw: dict[str, Any], codes: Mapping[str, str], environ: Mapping[str, str]
) -> list[Problem]:
    """Names and variables used twice, unknown areas, and (when the API is on) tokens that
    are missing, short or shared between clients."""
    data = raw.get("api")
    if not isinstance(data, dict):
        return []
    try:
        section = ApiSection.model_validate(data)
    except ValidationError:
        return []  # the main validation reports it
    problems: list[Problem] = []
    if section.enabled and not section.clients:
        problems.append(
            Problem("api.clients", "the API is on but lists no client: add one, or turn it off")
        )
    names: set[str] = set()
    envs: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for index, client in enumerate(section.clients):
        path = f"api.clients[{index}]"
        if client.name in names:
            problems.append(Problem(f"{path}.name", f"the name {client.name!r} is used twice"))
        names.add(client.name)
        if client.env in envs:
            problems.append(
                Problem(
                    f"{path}.env",
                    f"{client.env} is also the variable of {envs[client.env]!r}: "
                    "each client needs a token of its own",
                )
            )
            continue
        envs[client.env] = client.name
        for at, code in enumerate(client.areas):
            if codes and code not in codes:
                problems.append(Problem(f"{path}.areas[{at}]", f"no area has the code {code!r}"))
        token = _env(environ, client.env)
        if not section.enabled or token is None:
            continue  # a client without a token cannot read; the start says so in the log
        if len(token) < MIN_TOKEN_LENGTH:
            problems.append(
                Problem(
                    client.env,
                    f"a token needs at least {MIN_TOKEN_LENGTH} characters; make one with "
                    "`openssl rand -hex 32`",
                )
            )
        if token in tokens:
            problems.append(
                Problem(client.env, f"the same token as {tokens[token]!r}: give each its own")
            )
        tokens.setdefault(token, client.name)
    return problems
