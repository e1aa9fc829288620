"""Refusals of the API: a status and a JSON body saying what is wrong and what would be valid."""

from __future__ import annotations

from aiohttp import web

from bot.web.api.models import ErrorBody, Out, Problem

# No answer of the API may be kept by a shared cache or shown to another site.
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


class ApiError(Exception):
    """A request the API refuses: 400 bad parameter, 401 who are you, 403 not yours, 404."""

    def __init__(
        self, status: int, code: str, message: str, *, parameter: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problem = Problem(code=code, message=message, parameter=parameter)

    def response(self) -> web.Response:
        headers = dict(HEADERS)
        if self.status == 401:
            error = ', error="invalid_token"' if self.problem.code == "invalid_token" else ""
            headers["WWW-Authenticate"] = f'Bearer realm="api"{error}'
        return answer(ErrorBody(error=self.problem), status=self.status, headers=headers)


def bad(parameter: str, message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message, parameter=parameter)


def answer(body: Out, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A model as JSON; keys with no value are kept (null), so every answer has one shape."""
    return web.Response(
        status=status,
        text=body.model_dump_json(),
        content_type="application/json",
        charset="utf-8",
        headers=headers or HEADERS,
    )
