"""The `api` section of config.yaml: tokens from the environment only, and every mistake named
by its key path (or variable) with what would be valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config.loading import ConfigError, load_config
from tests.support.harness import write_config

TOKEN = "9" * 40
OTHER = "8" * 40
CLIENT = {"name": "dash", "env": "API_TOKEN_DASH", "scopes": ["areas:read"]}


def _load(tmp_path: Path, api: dict[str, Any], environ: dict[str, str]) -> Any:
    write_config(tmp_path, admins=[], extra={"api": api})
    return load_config(tmp_path / "config.yaml", environ=environ)


def test_tokens_come_from_the_environment_and_are_redacted(tmp_path: Path) -> None:
    api = {"enabled": True, "clients": [CLIENT, {**CLIENT, "name": "b", "env": "API_TOKEN_B"}]}
    config = _load(tmp_path, api, {"API_TOKEN_DASH": f" {TOKEN} "})
    dash, b = config.api.clients
    assert dash.token is not None and dash.token.get_secret_value() == TOKEN
    assert b.token is None, "a client whose variable is unset cannot read"
    assert TOKEN in config.secret_values(), "the log redactor knows the token"
    assert TOKEN not in repr(config.api)


# (case id, the api section, environment, where the problem is, a word of its message)
CASES: list[tuple[str, dict[str, Any], dict[str, str], str, str]] = [
    ("token-in-file", {"clients": [{**CLIENT, "token": TOKEN}]}, {},
     "api.clients[0].token", "API_TOKEN_DASH"),
    ("no-client", {"enabled": True}, {}, "api.clients", "add one"),
    ("bad-scope", {"clients": [{**CLIENT, "scopes": ["reports:write"]}]}, {},
     "api.clients[0].scopes[0]", "reports:read"),
    ("no-scope", {"clients": [{**CLIENT, "scopes": []}]}, {}, "api.clients[0].scopes",
     "at least one"),
    ("bot-variable", {"clients": [{**CLIENT, "env": "TELEGRAM_BOT_TOKEN"}]}, {},
     "api.clients[0].env", "of its own"),
    ("lowercase-variable", {"clients": [{**CLIENT, "env": "api_token"}]}, {},
     "api.clients[0].env", "API_TOKEN_DASHBOARD"),
    ("unknown-area", {"clients": [{**CLIENT, "areas": ["99999"]}]}, {},
     "api.clients[0].areas[0]", "99999"),
    ("same-name", {"clients": [CLIENT, {**CLIENT, "env": "API_TOKEN_2"}]}, {},
     "api.clients[1].name", "twice"),
    ("same-variable", {"clients": [CLIENT, {**CLIENT, "name": "other"}]}, {},
     "api.clients[1].env", "of its own"),
    ("short-token", {"enabled": True, "clients": [CLIENT]}, {"API_TOKEN_DASH": "secret"},
     "API_TOKEN_DASH", "openssl rand -hex 32"),
    ("shared-token", {"enabled": True, "clients": [CLIENT, {**CLIENT, "name": "b", "env": "B"}]},
     {"API_TOKEN_DASH": TOKEN, "B": TOKEN}, "B", "its own"),
    ("page-sizes", {"page_size": 600, "max_page_size": 500}, {}, "api", "max_page_size"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("api", "environ", "path", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_names_its_key_path(
    tmp_path: Path, api: dict[str, Any], environ: dict[str, str], path: str, word: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, api, environ)
    problems = caught.value.problems
    matching = [p for p in problems if p.path == path]
    assert matching, f"no problem at {path}: {problems}"
    assert any(word in p.message for p in matching), matching
    assert all(TOKEN not in p.message for p in problems), "a token is never repeated back"


def test_a_disabled_api_with_distinct_tokens_loads(tmp_path: Path) -> None:
    api = {"enabled": False, "clients": [CLIENT]}
    assert _load(tmp_path, api, {"API_TOKEN_DASH": "short"}).api.enabled is False
    api = {"enabled": True, "clients": [CLIENT, {**CLIENT, "name": "b", "env": "B"}]}
    config = _load(tmp_path, api, {"API_TOKEN_DASH": TOKEN, "B": OTHER})
    assert [c.name for c in config.api.clients] == ["dash", "b"]
