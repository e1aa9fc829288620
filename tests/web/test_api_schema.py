"""Schemathesis over the served OpenAPI document, against the live in-process server holding
data typed on the fake: no server error, and every answer as the document describes it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from tests.support.harness import World
from tests.web.api_helpers import FULL, HUONG_SON, district_with_data

if TYPE_CHECKING:
    from schemathesis import APIOperation, GenerationMode

EXAMPLES = 6  # per operation and mode: a few seconds in all


def _cases(operation: APIOperation, mode: GenerationMode, base: str, token: str) -> int:
    """Up to EXAMPLES requests to one operation; how many were sent (a failed check raises)."""
    # Imported here: only the worker that runs this test pays for importing schemathesis.
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks as openapi

    checks: list[Any] = [
        not_a_server_error, openapi.status_code_conformance, openapi.content_type_conformance,
        openapi.response_headers_conformance, openapi.response_schema_conformance,
        openapi.ignored_auth,
    ]  # fmt: skip
    if mode is GenerationMode.NEGATIVE:  # invalid parameters are refused, never answered
        checks.append(openapi.negative_data_rejection)
    headers = {"Authorization": f"Bearer {token}"}
    sent = 0

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(base_url=base, headers=headers, checks=checks)

    run()
    return sent


def _fuzz(base: str, token: str, *, invalid: bool) -> list[str]:
    """Every operation of the document with valid (and invalid) parameters; what failed."""
    import schemathesis
    from schemathesis import GenerationMode

    modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * invalid
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    failures: list[str] = []
    sent = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode in modes:
            try:
                sent += _cases(operation, mode, base, token)
            except (Exception, BaseExceptionGroup) as exc:  # failed checks: report them all
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert sent > 4 * len(modes) * EXAMPLES or failures, "schemathesis generated almost nothing"
    return failures


async def test_schemathesis_finds_no_server_error_and_answers_match_the_schema(
    tg_world: World,
) -> None:
    # Imported here, before the bot runs: in the thread, the import alone would take seconds
    # (the loop and the thread share the interpreter), and only this test's worker pays for it.
    import schemathesis.specs.openapi.schemas  # noqa: F401

    await district_with_data(tg_world)
    assert tg_world.bot.app is not None
    base = f"http://127.0.0.1:{tg_world.bot.app.web_port}"
    # Every scope with valid and invalid parameters; then a token limited to one commune, whose
    # areas outside it are refused as documented. Requests block: a thread runs them while the
    # loop serves them.
    for token, invalid in ((FULL, True), (HUONG_SON, False)):
        failures = await asyncio.to_thread(_fuzz, base, token, invalid=invalid)
        assert failures == [], "\n\n".join(failures)
