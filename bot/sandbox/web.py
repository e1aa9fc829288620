"""The sandbox's web routes on the one web server: the page, its assets, and a small JSON API
with Server-Sent Events for what the bot says (contract in README "The sandbox"). Every route
checks the Host and Origin, and calls that change something the page's token
(bot.sandbox.guard)."""

from __future__ import annotations

import asyncio
import html
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.core.text import counted_length
from bot.sandbox.graph import Sandbox, SandboxError
from bot.sandbox.guard import TOKEN_META, SandboxGuard
from bot.web.downloads import content_disposition
from bot.web.server import Handler

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PING_SECONDS = 15.0
MAX_BODY_TEXT = 10_000  # what the page may post at all; each app's own limit is lower


def sandbox_routes(
    sandbox: Sandbox, *, public_url: str | None = None
) -> tuple[list[web.RouteDef], Handler]:
    """The sandbox's routes and its page (the server's "/"); each request looks up the current
    graph, since a reset swaps it. `public_url`: the deployment's web.public_base_url, whose
    host may serve the page too (the sandbox's own config points file links at /sandbox)."""
    guard = SandboxGuard(bound_host=sandbox.config.web.host, public_url=public_url)

    def guarded(handler: Handler, *, changes: bool = False) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            refusal = guard.refusal(request.headers, changes=changes)
            if refusal is not None:
                log.info("sandbox refused %s %s: %s", request.method, request.path, refusal)
                return _forbidden(request, refusal)
            return await handler(request)

        return checked

    async def index(request: web.Request) -> web.StreamResponse:
        page = STATIC / "index.html"
        if not page.exists():
            return web.Response(text="sandbox page missing", status=500)
        text = page.read_text(encoding="utf-8")
        token = TOKEN_META.replace('content=""', f'content="{html.escape(guard.token())}"')
        return web.Response(
            text=text.replace(TOKEN_META, token), content_type="text/html",
            headers={
                "Cache-Control": "no-store",  # a token per page: never from a cache
                # No other site may frame the page and have a trainer click in it.
                "Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
            },
        )  # fmt: skip

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = (STATIC / name).resolve()
        if STATIC not in path.parents or not path.is_file():
            raise web.HTTPNotFound
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def state(request: web.Request) -> web.Response:
        return _json({
            "district": sandbox.areas.root.name,
            "personas": [p.json(sandbox.areas) for p in sandbox.refreshed()],
        })  # fmt: skip

    async def chat(request: web.Request) -> web.Response:
        q = request.query
        try:
            persona = sandbox.persona(q.get("persona", ""))
            app = q.get("app", persona.app)
            where = q.get("where", "private")
            ref = sandbox.chat_of(persona, app, where)
            sandbox.use_app(persona, app)
            if "lang" in q:  # the page's language is this person's (the bot answers in it)
                sandbox.use_language(persona, q["lang"])
        except SandboxError as exc:
            return _refused(str(exc))
        caps = sandbox.platform(app).caps
        title = (
            f"Y tế {sandbox.areas.get(persona.commune).name}" if where == "group" else persona.name
        )
        return _json({
            "chat": ref.key, "title": title, "kind": where, "max_text": caps.max_text,
            "buttons": caps.buttons, "messages": sandbox.hub.history(ref.key),
        })  # fmt: skip

    async def say(request: web.Request) -> web.Response:
        body = await _body(request)
        text = str(body.get("text") or "").strip()
        if not text or len(text) > MAX_BODY_TEXT:
            return _refused("text must be 1 to 10000 characters")
        async with sandbox.lock:  # not while a reset swaps the graph
            try:
                persona = sandbox.persona(str(body.get("persona", "")))
                app = str(body.get("app") or persona.app)
                ref = sandbox.chat_of(persona, app, str(body.get("where") or "private"))
            except SandboxError as exc:
                return _refused(str(exc))
            # The app itself would not send it: counted as the bot counts (UTF-16 units).
            n, limit = counted_length(text), sandbox.platform(app).caps.max_text
            if n > limit:
                return _refused(
                    f"{app} sends at most {limit} characters a message, this is {n}",
                    code="too_long", n=n, max=limit,
                )  # fmt: skip
            sandbox.use_app(persona, app)
            reply_to = body.get("reply_to")
            message = await sandbox.platform(app).person_says(
                persona.uid, persona.name, ref, text, reply_to=str(reply_to) if reply_to else None
            )
        return _json({"ok": True, "message": message.json(sandbox.hub.tz)})

    async def press(request: web.Request) -> web.Response:
        body = await _body(request)
        async with sandbox.lock:
            try:
                persona = sandbox.persona(str(body.get("persona", "")))
                app = str(body.get("app") or persona.app)
                ref = sandbox.chat_of(persona, app, str(body.get("where") or "private"))
            except SandboxError as exc:
                return _refused(str(exc))
            message = sandbox.hub.find(ref.key, str(body.get("message_id", "")))
            data = str(body.get("data", ""))
            if message is None or not any(
                b["data"] == data for row in message.buttons for b in row
            ):
                return _refused("that button is no longer there", code="no_button")
            sandbox.use_app(persona, app)
            await sandbox.platform(app).press(persona.uid, persona.name, ref, message.id, data)
        return _json({"ok": True})

    async def language(request: web.Request) -> web.Response:
        """The page switched language: so does the person it acts as."""
        body = await _body(request)
        async with sandbox.lock:
            try:
                persona = sandbox.persona(str(body.get("persona", "")))
                sandbox.use_app(persona, str(body.get("app") or persona.app))
                sandbox.use_language(persona, str(body.get("lang", "")))
            except SandboxError as exc:
                return _refused(str(exc))
        return _json({"ok": True})

    async def reset(request: web.Request) -> web.Response:
        await sandbox.reset()
        return _json({"ok": True})

    async def events(request: web.Request) -> web.StreamResponse:
        q = request.query
        try:
            persona = sandbox.persona(q.get("persona", ""))
            ref = sandbox.chat_of(persona, q.get("app", persona.app), q.get("where", "private"))
        except SandboxError as exc:
            return _refused(str(exc))
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                     "X-Accel-Buffering": "no"}
        )  # fmt: skip
        await response.prepare(request)
        watcher = sandbox.hub.watch(ref.key, persona.uid)
        try:
            await response.write(b": hello\n\n")
            while sandbox.hub.watching(watcher):
                try:
                    event, data = await asyncio.wait_for(watcher.queue.get(), PING_SECONDS)
                except TimeoutError:
                    await response.write(b": ping\n\n")
                    continue
                if event == "close":
                    break
                payload = json.dumps(data, ensure_ascii=False)
                await response.write(f"event: {event}\ndata: {payload}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            sandbox.hub.unwatch(watcher)
        return response

    async def files(request: web.Request) -> web.StreamResponse:
        found = sandbox.hub.files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound
        data, name, mime = found
        return web.Response(
            body=data, content_type=mime,
            headers={"Content-Disposition": content_disposition(name, mime)},
        )  # fmt: skip

    async def signed(request: web.Request) -> web.StreamResponse:
        """Signed links the sandbox's Zalo-like bot sends, served by its current graph."""
        app = sandbox.app
        if app is None:
            raise web.HTTPServiceUnavailable
        path = "/f/{token}/{name}" if "name" in request.match_info else "/f/{token}"
        route = next((r for r in app.file_routes if getattr(r, "path", "") == path
                      and getattr(r, "method", "") == "GET"), None)  # fmt: skip
        if route is None:
            raise web.HTTPNotFound
        return await route.handler(request)  # type: ignore[union-attr]

    # /chat moves the person to the app asked for (sandbox.use_app): it needs the token too.
    return [
        web.get("/sandbox/static/{name}", guarded(static)),
        web.get("/sandbox/api/state", guarded(state)),
        web.get("/sandbox/api/chat", guarded(chat, changes=True)),
        web.post("/sandbox/api/say", guarded(say, changes=True)),
        web.post("/sandbox/api/press", guarded(press, changes=True)),
        web.post("/sandbox/api/language", guarded(language, changes=True)),
        web.post("/sandbox/api/reset", guarded(reset, changes=True)),
        web.get("/sandbox/api/events", guarded(events)),
        web.get("/sandbox/api/files/{file_id}", guarded(files)),
        web.get("/sandbox/f/{token}/{name}", guarded(signed)),
        web.get("/sandbox/f/{token}", guarded(signed)),
    ], guarded(index)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="the body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


def _refused(error: str, *, code: str = "", **params: object) -> web.Response:
    """A request the sandbox does not take: `error` for a developer, `code` and `params` for
    the page to say it in the trainee's language."""
    refusal: dict[str, object] = {"ok": False, "error": error}
    if code:
        refusal |= {"code": code, "params": params}
    return _json(refusal, status=400)


def _forbidden(request: web.Request, error: str) -> web.Response:
    if request.path.startswith("/sandbox/api/"):
        return _json({"ok": False, "error": error}, status=403)
    return web.Response(text=error, status=403)


def _json(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
