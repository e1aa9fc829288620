"""The `webhooks` section of config.yaml: the endpoints that receive events, and the retries.

Each endpoint's signing secret comes from the environment variable it names (`secret_env`, by
default WEBHOOK_SECRET_<NAME>), never from the file; load_config fills `secret` from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator

from bot.config.base import Problem, Section, env_suffix, numbers_as_text
from bot.core.events import EVENT_TYPES

EventName = Literal[
    "report.stored", "report.corrected", "report.retracted", "report.returned",
    "directive.acknowledged",
]  # fmt: skip
MIN_SECRET = 16  # characters; a shorter secret could be guessed from one signed request
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def check_hook_url(url: str) -> str:
    """An https:// address, or plain http:// to this machine only (a local relay, tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return url
    msg = (
        "a webhook goes only to an https:// address, e.g. "
        "https://dashboard.example.gov.vn/hooks/bot (plain http only to 127.0.0.1)"
    )
    raise ValueError(msg)


class WebhookEndpoint(Section):
    """One receiver: where events go, which ones, signed with which secret."""

    name: str
    url: str
    # The environment variable holding the signing secret; None: WEBHOOK_SECRET_<NAME>.
    secret_env: str | None = None
    events: tuple[EventName, ...] = EVENT_TYPES  # type: ignore[assignment]
    # Only events of these areas' subtrees (reports of their villages, acknowledgements of their
    # people); empty: every area.
    areas: tuple[str, ...] = ()
    # Free text people typed (text fields of reports, an officer's reason for a return) may name
    # someone: it is left out unless this receiver may hold personal data.
    free_text: bool = False
    # Filled from the environment by load_config, never from the file.
    secret: SecretStr | None = Field(default=None, exclude=True, repr=False)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            msg = (
                f"{value!r}: endpoint names use only a-z, 0-9, '_' and '-' (e.g. dashboard), "
                "since they name an environment variable and appear in logs"
            )
            raise ValueError(msg)
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_hook_url(value.strip())

    @field_validator("secret_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            msg = f"{value!r} is not an environment variable name, e.g. WEBHOOK_SECRET_DASHBOARD"
            raise ValueError(msg)
        return value

    @field_validator("events")
    @classmethod
    def _some(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            msg = (
                f"list one event or more, or leave `events` out for all: {', '.join(EVENT_TYPES)}"
            )
            raise ValueError(msg)
        return tuple(dict.fromkeys(value))

    @field_validator("areas", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(numbers_as_text(v) for v in value)
        return value

    @property
    def key_env(self) -> str:
        """The environment variable the signing secret is read from."""
        return self.secret_env or f"WEBHOOK_SECRET_{env_suffix(self.name)}"


class WebhooksSection(Section):
    """Outgoing webhooks: events POSTed to other systems, signed, retried, in order."""

    endpoints: tuple[WebhookEndpoint, ...] = ()
    timeout_seconds: float = Field(default=10, gt=0, le=120)  # one attempt's whole time
    retry_base_seconds: float = Field(default=10, gt=0, le=3600)  # first retry; doubles after
    retry_max_seconds: float = Field(default=3600, gt=0, le=86400)  # the longest wait
    give_up_hours: float = Field(default=72, gt=0, le=24 * 30)  # then an event fails for good
    concurrency: int = Field(default=4, ge=1, le=32)  # attempts in flight per endpoint
    keep_failed_days: int = Field(default=30, ge=1)  # failed events are kept this long


def webhook_problems(
    raw: dict[str, Any], environ: Mapping[str, str], codes: Mapping[str, str]
) -> list[Problem]:
    """What no endpoint sees alone: duplicate names or variables, unknown areas, secrets
    missing from the environment."""
    section = raw.get("webhooks")
    entries = section.get("endpoints") if isinstance(section, dict) else None
    problems: list[Problem] = []
    names: dict[str, int] = {}
    envs: dict[str, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        try:
            endpoint = WebhookEndpoint.model_validate(entry)
        except ValidationError:
            continue  # the main validation says why
        path = f"webhooks.endpoints[{index}]"
        if endpoint.name in names:
            problems.append(Problem(f"{path}.name", f"duplicate endpoint name {endpoint.name!r} "
                                    f"(also endpoints[{names[endpoint.name]}])"))  # fmt: skip
            continue
        names[endpoint.name] = index
        env = endpoint.key_env
        if env in envs:
            msg = f"shares the environment variable {env} with endpoints[{envs[env]}]"
            problems.append(Problem(path, f"{msg}; give each endpoint its own secret"))
        envs.setdefault(env, index)
        for at, code in enumerate(endpoint.areas):
            if codes and code not in codes:
                problems.append(Problem(f"{path}.areas[{at}]", f"no area has the code {code!r}; "
                                        "use a code from `areas`"))  # fmt: skip
        secret = environ.get(env, "").strip()
        if not secret:
            msg = f"{env} ({MIN_SECRET}+ characters) is not set"
            problems.append(Problem(path, f"the signing secret goes in the environment: {msg}"))
        elif len(secret) < MIN_SECRET:
            problems.append(Problem(env, f"must be at least {MIN_SECRET} characters long"))
    return problems


def with_secrets(section: WebhooksSection, environ: Mapping[str, str]) -> WebhooksSection:
    """The section with each endpoint's secret read from its environment variable."""
    endpoints = tuple(
        e.model_copy(update={"secret": SecretStr(v) if (v := environ.get(e.key_env, "").strip())
                             else None})
        for e in section.endpoints
    )  # fmt: skip
    return section.model_copy(update={"endpoints": endpoints})
