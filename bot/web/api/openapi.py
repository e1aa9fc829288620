"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json. Its schemas are
generated from the models every answer is built through; its parameters name this
deployment's report types and page limits."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from bot.config.api import SCOPES, ApiSection
from bot.core import periods
from bot.web.api.models import PAGES

if TYPE_CHECKING:
    from bot.web.api.reading import ApiData

VERSION = "1.0.0"
_REF = "#/components/schemas/{model}"
_PERIOD = r"^[0-9]{4}-([0-9]{2}|W[0-9]{2}|Q[1-4]|[0-9]{2}-[0-9]{2})$"
_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_KINDS = ["province", "region", "district", "commune", "village"]
_ERRORS = {
    "400": "a parameter is wrong: the body says which and what would be valid",
    "401": "no token, or not a valid one",
    "403": "the token lacks the scope, or the area is outside the token's areas",
}


@functools.cache
def _schemas() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "serialization") for m in PAGES], ref_template=_REF)
    return dict(defs["$defs"])


def _param(
    name: str, schema: dict[str, Any], text: str, *, where: str = "query"
) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema,
            "description": text}  # fmt: skip


def _json(ref: str, text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _operation(
    op_id: str,
    summary: str,
    scope: str,
    page: str,
    parameters: list[dict[str, Any]],
    *,
    not_found: str | None = None,
) -> dict[str, Any]:
    responses = {"200": _json(_REF.format(model=page), "one page")}
    responses |= {code: _json(_REF.format(model="ErrorBody"), t) for code, t in _ERRORS.items()}
    if not_found:
        responses["404"] = _json(_REF.format(model="ErrorBody"), not_found)
    return {"get": {
        "operationId": op_id, "summary": summary,
        "description": f"Needs the scope `{scope}`.", "parameters": parameters,
        "responses": responses,
    }}  # fmt: skip


def document(data: ApiData, settings: ApiSection, base_url: str | None) -> dict[str, Any]:
    types = data.types()
    # Examples name real places and the current period: a client (and a fuzzer) starts there.
    kinds = {a.kind: a.code for a in reversed(data.areas.all())}
    places = list(dict.fromkeys([data.areas.root.code, *(kinds[k] for k in _KINDS if k in kinds)]))
    current = periods.current_period(types.default, data.today()).key if types else "2026-11"
    paging = [
        _param("limit", {"type": "integer", "minimum": 1, "maximum": settings.max_page_size,
                         "default": settings.page_size}, "items per page"),
        _param("cursor", {"type": "string"}, "the `next_cursor` of the page before"),
    ]  # fmt: skip
    area = _param(
        "area", {"type": "string", "pattern": _CODE, "examples": places},
        "an area code: this area and everything below it (default: all the token may read)",
    )  # fmt: skip
    type_schema: dict[str, Any] = {"type": "string"}
    if types is not None:
        type_schema |= {"enum": [t.code for t in types], "default": types.default.code}
    report_type = _param("type", type_schema, "a report type's code (default: the main type)")
    period = _param(
        "period", {"type": "string", "pattern": _PERIOD, "examples": [current]},
        "2026-11 (month), 2026-W45 (week), 2026-Q4 (quarter) or 2026-11-24 (day), as the "
        "type's period; default: the current one",
    )  # fmt: skip
    no_types = "no report types are configured" if types is None else None
    paths = {
        "/api/v1/areas": _operation(
            "listAreas", "The area tree, parents before children", "areas:read", "AreaPage",
            [area, _param("kind", {"type": "string", "enum": _KINDS}, "only areas of this kind"),
             *paging],
        ),
        "/api/v1/reports": _operation(
            "listReports", "Reports of one type and period (latest versions)", "reports:read",
            "ReportPage",
            [report_type, period, area,
             _param("late", {"type": "boolean"}, "only late reports (true) or on-time (false)"),
             _param("include_retracted", {"type": "boolean", "default": False},
                    "also reports their sender cancelled"),
             *paging],
            not_found=no_types,
        ),
        "/api/v1/completeness": _operation(
            "getCompleteness", "Who reported, on time, and who is missing, per area",
            "completeness:read", "CompletenessPage", [report_type, period, area, *paging],
            not_found=no_types,
        ),
        "/api/v1/directives": _operation(
            "listDirectives", "Directives sent to the areas, with acknowledgement counts",
            "directives:read", "DirectivePage",
            [area, _param("since", {"type": "string", "format": "date"},
                          "only those sent on or after this day"), *paging],
        ),
        "/api/v1/directives/{id}/acknowledgements": _operation(
            "listAcknowledgements", "Who acknowledged a directive, per area", "directives:read",
            "AckPage",
            [_param("id", {"type": "integer", "minimum": 1, "maximum": 2**31},
                    "the directive's number", where="path"), area, *paging],
            not_found="no such directive in the areas the token reads",
        ),
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }},
    }  # fmt: skip
    scopes = "\n".join(f"- `{name}`: {text}" for name, text in SCOPES.items())
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Trợ lý dân số: read-only API",
            "version": VERSION,
            "description": "Read-only data for dashboards. Send a client's token as "
            "`Authorization: Bearer <token>`. People appear as pseudonymous ids; names only "
            f"with `people:names`.\n\nScopes:\n{scopes}",
        },
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
    if base_url:
        doc["servers"] = [{"url": base_url}]
    return doc
