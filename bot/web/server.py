"""The one aiohttp web server of the process: webhooks, health, and a start page."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.platform import Platform

if TYPE_CHECKING:
    from bot.config.loading import Config

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PLATFORMS_KEY = web.AppKey("platforms", dict)
HEALTH_KEY = web.AppKey("health", object)
CONFIG_KEY = web.AppKey("config", object)


async def healthz(request: web.Request) -> web.Response:
    """Transports alive, outbox backlog and its oldest age, Zalo quota left; 503 when degraded."""
    report: Callable[[], dict[str, Any]] = request.app[HEALTH_KEY]  # type: ignore[assignment]
    body = report()
    return web.json_response(body, status=200 if body.get("status") == "ok" else 503)


async def start_page(request: web.Request) -> web.Response:
    """A plain page saying what runs here and how to connect a platform."""
    platforms: Mapping[tuple[str, str], Platform] = request.app[PLATFORMS_KEY]
    config: Config = request.app[CONFIG_KEY]
    running = ", ".join(f"{n} {b}".strip() for n, b in platforms) or "không có nền tảng nào"
    body = f"""<!doctype html><html lang="vi"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trợ lý dân số</title>
<body style="font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em">
<h1>Trợ lý dân số</h1>
<p>Đang chạy: <b>{html.escape(running)}</b>. Địa bàn: <b>{html.escape(config.areas.name)}</b>.</p>
<p>Kết nối Telegram: đặt biến môi trường <code>TELEGRAM_BOT_TOKEN</code> rồi chạy lại.
Kết nối Zalo: khai báo bot trong <code>config.yaml</code> (platforms.zalo.bots) và đặt
<code>ZALO_BOT_TOKEN_&lt;TÊN&gt;</code>.</p>
<p>Tình trạng: <a href="/healthz">/healthz</a></p>
</body></html>"""
    return web.Response(text=body, content_type="text/html")


def build_web_app(
    *,
    platforms: Mapping[tuple[str, str], Platform],
    routes: list[web.RouteDef],
    config: Config,
    health: Callable[[], dict[str, Any]],
    index: Handler | None = None,
) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app[PLATFORMS_KEY] = dict(platforms)
    app[HEALTH_KEY] = health
    app[CONFIG_KEY] = config
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index or start_page)
    app.router.add_get("/status", start_page)
    app.add_routes(routes)
    return app


async def start_site(app: web.Application, *, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app`; port 0 picks a free port, which is returned."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # the bound socket is only reachable here; needed for port 0
    bound = server.sockets[0].getsockname()[1] if server is not None and server.sockets else port
    return runner, int(bound)
