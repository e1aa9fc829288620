"""The one aiohttp web server of the process: webhooks, health, and a start page."""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web

from bot.platforms.base import Platform

if TYPE_CHECKING:
    from bot.config import Config
    from bot.inbound import Inbound

PLATFORMS_KEY = web.AppKey("platforms", dict)
INBOUND_KEY = web.AppKey("inbound", object)
CONFIG_KEY = web.AppKey("config", object)


async def healthz(request: web.Request) -> web.Response:
    """Each transport's last successful receive, and intake counters."""
    now = time.monotonic()
    platforms: Mapping[tuple[str, str], Platform] = request.app[PLATFORMS_KEY]
    report = {}
    for (name, bot), platform in platforms.items():
        last = getattr(platform, "last_receive_at", None)
        report[f"{name}:{bot}" if bot else name] = {
            "last_receive_seconds_ago": round(now - last, 1) if last else None,
        }
    inbound = request.app[INBOUND_KEY]
    body = {
        "status": "ok",
        "platforms": report,
        "handled": getattr(inbound, "handled", 0),
        "duplicates": getattr(inbound, "duplicates", 0),
    }
    return web.json_response(body)


async def index(request: web.Request) -> web.Response:
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
    inbound: Inbound,
    routes: list[web.RouteDef],
    config: Config,
) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app[PLATFORMS_KEY] = dict(platforms)
    app[INBOUND_KEY] = inbound
    app[CONFIG_KEY] = config
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index)
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
