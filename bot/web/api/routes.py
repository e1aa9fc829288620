"""The read-only API's routes under /api/v1: each checks the token and its scope, reads its
parameters, and answers one page of JSON (errors too are JSON, never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.config.api import ApiSection
from bot.web.api import acknowledgements as acks
from bot.web.api import params
from bot.web.api.auth import Caller, Clients
from bot.web.api.completeness import completeness, unit
from bot.web.api.errors import ApiError, answer, bad
from bot.web.api.models import AckPage, AreaPage, CompletenessPage, DirectivePage, Out, ReportPage
from bot.web.api.openapi import document
from bot.web.api.pagination import PageRequest, page_info, page_request, paginate
from bot.web.api.reading import ApiData

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
KINDS = ("province", "region", "district", "commune", "village")
Read = Callable[[web.Request, Caller, dict[str, str]], Out]


class Api:
    """The endpoints, over the bot's services and the clients of config."""

    def __init__(self, data: ApiData, settings: ApiSection, *, base_url: str | None) -> None:
        self.data = data
        self.settings = settings
        self.clients = Clients(settings.clients)
        self.base_url = base_url

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"{PREFIX}/openapi.json", self.openapi),
            web.get(f"{PREFIX}/areas", self._guard("areas:read", ("area", "kind"), self.areas)),
            web.get(f"{PREFIX}/reports", self._guard(
                "reports:read", ("type", "period", "area", "late", "include_retracted"),
                self.reports,
            )),
            web.get(f"{PREFIX}/completeness", self._guard(
                "completeness:read", ("type", "period", "area"), self.completeness
            )),
            web.get(f"{PREFIX}/directives", self._guard(
                "directives:read", ("area", "since"), self.directives
            )),
            web.get(f"{PREFIX}/directives/{{id}}/acknowledgements", self._guard(
                "directives:read", ("area",), self.acknowledgements
            )),
            web.route("*", f"{PREFIX}/{{tail:.*}}", self.unknown),
        ]  # fmt: skip

    async def openapi(self, request: web.Request) -> web.Response:
        """The OpenAPI document: public, it describes this deployment's types and limits."""
        return web.json_response(document(self.data, self.settings, self.base_url))

    async def unknown(self, request: web.Request) -> web.Response:
        """Anything else under /api/v1: JSON too (405 for every method but GET: read-only)."""
        if request.method not in ("GET", "HEAD"):
            refused = ApiError(405, "method_not_allowed", "this API only reads: use GET")
            response = refused.response()
            response.headers["Allow"] = "GET, HEAD"
            return response
        return ApiError(404, "not_found", f"no such address: {request.path}").response()

    def _guard(
        self, scope: str, allowed: tuple[str, ...], read: Read
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            client = "-"
            try:
                caller = self.clients.caller(request)
                client = caller.name
                caller.require(scope)
                body = read(request, caller, params.query(request, allowed))
                response = answer(body)
            except ApiError as exc:
                response = exc.response()
            except Exception:
                log.exception("api: %s failed", request.path)  # the query holds no secret
                response = ApiError(500, "internal", "the server failed; try again").response()
            log.info("api: client=%s %s status=%s", client, request.path, response.status)
            return response

        return handle

    def _page(self, q: dict[str, str]) -> PageRequest:
        """The page asked for; read after the other parameters, so that they are checked
        first (a cursor means something only for a valid list)."""
        s = self.settings
        return page_request(q, default=s.page_size, most=s.max_page_size)

    # --- endpoints ---

    def areas(self, request: web.Request, caller: Caller, q: dict[str, str]) -> AreaPage:
        kind = q.get("kind")
        if kind is not None and kind not in KINDS:
            raise bad("kind", f"kind is one of: {', '.join(KINDS)}")
        tops = caller.area(self.data.areas, q.get("area"))
        found = self.data.area_list(tops, kind)
        page = self._page(q)
        chosen, after = paginate(found, lambda a: (self.data.order(a.code),), page)
        return AreaPage(
            data=[self.data.area_item(a) for a in chosen],
            page=page_info(request, page, after, self.base_url),
        )

    def reports(self, request: web.Request, caller: Caller, q: dict[str, str]) -> ReportPage:
        d = self.data
        rt = params.report_type(d.types(), q.get("type"))
        period = params.period(rt, q.get("period"), d.today())
        late = params.flag(q, "late") if "late" in q else None
        retracted = params.flag(q, "include_retracted")
        tops = caller.area(d.areas, q.get("area"))
        found = d.report_list(rt, period, tops, late=late, retracted=retracted)
        page = self._page(q)
        chosen, after = paginate(found, lambda r: (r.area, r.id), page)
        return ReportPage(
            type=d.type_ref(rt),
            period=d.period_info(period, d.deadline(rt, period)),
            data=[d.report(caller, r) for r in chosen],
            page=page_info(request, page, after, self.base_url),
        )

    def completeness(
        self, request: web.Request, caller: Caller, q: dict[str, str]
    ) -> CompletenessPage:
        d = self.data
        rt = params.report_type(d.types(), q.get("type"))
        period = params.period(rt, q.get("period"), d.today())
        (area,) = caller.area(d.areas, q.get("area"), one=True)
        found = completeness(d, area, rt, period)
        page = self._page(q)
        chosen, after = paginate(found.rows, lambda pair: (pair[0],), page)
        return CompletenessPage(
            area=d.place(area),
            type=d.type_ref(rt),
            period=d.period_info(period, found.part.deadline),
            as_of=found.as_of.astimezone(d.reports.tz),
            totals=found.totals(),
            data=[unit(d, caller, found, row) for _, row in chosen],
            page=page_info(request, page, after, self.base_url),
        )

    def directives(self, request: web.Request, caller: Caller, q: dict[str, str]) -> DirectivePage:
        since = params.day(q, "since")
        tops = caller.area(self.data.areas, q.get("area"))
        found = acks.directive_list(self.data, tops, since)
        page = self._page(q)
        chosen, after = paginate(found, lambda x: (x.id,), page)
        return DirectivePage(
            data=[acks.shaped(self.data, caller, x, tops) for x in chosen],
            page=page_info(request, page, after, self.base_url),
        )

    def acknowledgements(self, request: web.Request, caller: Caller, q: dict[str, str]) -> AckPage:
        text = request.match_info["id"]
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2**31:
            raise bad("id", "a directive's id is its number, e.g. /api/v1/directives/12/…")
        tops = caller.area(self.data.areas, q.get("area"))
        found = acks.directive(self.data, int(text), tops)
        rows = acks.ack_rows(self.data, caller, found, tops)
        page = self._page(q)
        chosen, after = paginate(rows, lambda pair: pair[0], page)
        return AckPage(
            directive=acks.shaped(self.data, caller, found, tops),
            data=[row for _, row in chosen],
            page=page_info(request, page, after, self.base_url),
        )


def api_routes(data: ApiData, settings: ApiSection, *, base_url: str | None) -> list[Any]:
    """The API's routes to mount on the bot's web server (nothing when it is off)."""
    if not settings.enabled:
        return []
    api = Api(data, settings, base_url=base_url)
    if not len(api.clients):
        log.warning("api: enabled, but no client has its token in the environment")
    for client in settings.clients:
        if client.token is None:
            log.warning("api: client %s has no token (set %s)", client.name, client.env)
    return api.routes()
