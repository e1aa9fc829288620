"""The sandbox over its HTTP API (the page's contract): demo people in roles, live events,
buttons, files on both imitated apps, reset; it never reaches a real chat, and only its own
page, by this server's own names, can drive it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app.runtime import App
from bot.config.loading import load_config
from bot.sandbox.graph import Sandbox
from bot.sandbox.web import sandbox_routes
from tests.fakes.telegram_api import FakeTelegram
from tests.support.harness import bot_environ, eventually, write_config
from tests.support.pg import pg_url  # noqa: F401  (fixture)

TOKEN = re.compile(r'<meta name="sandbox-token" content="([^"]+)">')
FORM_ENDED = "report.form_ended"  # what the bot says to a keypad of a form that has ended


class Page:
    """What the browser page does, as HTTP calls: it loads "/" and sends the token it finds."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base
        self.token = ""

    async def load(self) -> Page:
        async with self.http.get(self.base + "/") as resp:
            assert resp.status == 200
            found = TOKEN.search(await resp.text())
        assert found, "the page carries no token"
        self.token = found.group(1)
        return self

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Sandbox-Token": self.token}

    async def get(self, path: str, **params: str) -> Any:
        async with self.http.get(self.base + path, params=params, headers=self.headers) as resp:
            return resp.status, await resp.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.http.post(self.base + path, json=body, headers=self.headers) as resp:
            return resp.status, await resp.json()

    async def say(self, persona: str, text: str, *, app: str = "telegram", where: str = "private",
                  reply_to: str | None = None) -> dict[str, Any]:  # fmt: skip
        status, body = await self.post("/sandbox/api/say", {
            "persona": persona, "app": app, "where": where, "text": text, "reply_to": reply_to,
        })  # fmt: skip
        assert status == 200, body
        return body["message"]

    async def chat(self, persona: str, *, app: str = "telegram", where: str = "private") -> Any:
        status, body = await self.get("/sandbox/api/chat", persona=persona, app=app, where=where)
        assert status == 200, body
        return body


@pytest.fixture
async def sandbox_page(tmp_path: Path) -> AsyncIterator[tuple[Page, Sandbox, App]]:
    config = load_config(write_config(tmp_path, admins=[]), environ=bot_environ())
    sandbox = Sandbox(config)
    routes, index = sandbox_routes(sandbox)
    app = App(config, platforms={}, web_routes=routes, index=index)
    await sandbox.start()
    await app.start()
    async with aiohttp.ClientSession() as http:
        yield await Page(http, f"http://127.0.0.1:{app.web_port}").load(), sandbox, app
    await sandbox.stop()
    await app.stop()


def _who(state: dict[str, Any], role: str, commune: str = "") -> str:
    return next(
        p["id"] for p in state["personas"]
        if p["role"] == role and (not commune or p["commune"] == commune)
    )  # fmt: skip


async def _bot_says(page: Page, persona: str, marker: str, **where: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def look() -> bool:
        chat = await page.chat(persona, **where)
        found.update(next((m for m in chat["messages"] if marker in m["text"]), {}))
        return bool(found)

    for _ in range(100):
        if await look():
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never said {marker!r}")


async def _listen(page: Page, persona: str, events: list[tuple[str, Any]], **where: str) -> None:
    """The page's live stream of one chat, as the browser's EventSource reads it."""
    params = {"persona": persona, "app": "telegram", "where": "private", **where}
    async with page.http.get(page.base + "/sandbox/api/events", params=params) as resp:
        event = ""
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                events.append((event, json.loads(line[6:])))


async def test_demo_people_report_and_a_directive_with_its_button(sandbox_page: Any) -> None:
    page, sandbox, _ = sandbox_page
    status, state = await page.get("/sandbox/api/state")
    assert status == 200 and state["district"] == "Tỉnh Hà Tĩnh"
    roles = {p["role"] for p in state["personas"]}
    assert roles == {"admin", "supervisor", "officer", "collaborator", ""}
    officer = _who(state, "officer", "Xã Hương Sơn")
    collab = next(p for p in state["personas"]
                  if p["role"] == "collaborator" and p["commune"] == "Xã Hương Sơn")  # fmt: skip
    echo_marker = f"✅ Đã lưu báo cáo Biến động dân số – {collab['area']}"
    await page.say(collab["id"], "/bc sinh 2, chet 1")
    await _bot_says(page, collab["id"], echo_marker)

    # A Zalo-mode collaborator of the same commune (no buttons, private only).
    zalo = next(p for p in state["personas"] if p["role"] == "collaborator"
                and p["commune"] == "Xã Hương Sơn" and p["id"] != collab["id"])  # fmt: skip
    assert (await page.post("/sandbox/api/say", {"persona": zalo["id"], "app": "zalo",
            "where": "group", "text": "ok"}))[0] == 400  # fmt: skip
    await page.say(zalo["id"], "/batdau", app="zalo")

    await page.say(officer, "/chithi all: Họp giao ban thứ Hai.")
    preview = await _bot_says(page, officer, "Xem trước thông báo")
    assert ["✅ Gửi", "✖ Bỏ"] == [b["label"] for b in preview["buttons"][0]]
    assert (await page.post("/sandbox/api/press", {
        "persona": officer, "app": "telegram", "where": "private",
        "message_id": preview["id"], "data": "dir:confirm",
    }))[0] == 200  # fmt: skip
    copy = await _bot_says(page, collab["id"], "📢 Thông báo số 1", where="group")
    assert copy["buttons"][0][0]["data"] == "ack:1" and copy["from_bot"]
    zalo_copy = await _bot_says(page, zalo["id"], "📢 Thông báo số 1", app="zalo")
    assert zalo_copy["buttons"] == [] and "👉 Gõ «ok 1»" in zalo_copy["text"]

    # The press is answered on the presser's own page, live (Server-Sent Events).
    events: list[tuple[str, Any]] = []
    listener = asyncio.create_task(_listen(page, collab["id"], events, where="group"))
    await asyncio.sleep(0.2)
    await page.post("/sandbox/api/press", {"persona": collab["id"], "app": "telegram",
                    "where": "group", "message_id": copy["id"], "data": "ack:1"})  # fmt: skip
    await eventually(lambda: any(e == "toast" for e, _ in events), what="the toast")
    await eventually(lambda: any(e == "edit" and d["buttons"] and "(1/" in
                                 d["buttons"][0][0]["label"] for e, d in events),
                     what="the count on the button")  # fmt: skip
    await page.say(zalo["id"], "ok 1", app="zalo")
    await _bot_says(page, zalo["id"], "Đã ghi nhận", app="zalo")
    await page.say(officer, "/tinhtrang 1")
    status_text = (await _bot_says(page, officer, "📊 Thông báo số 1"))["text"]
    assert "Đã nhận 2/" in status_text

    await page.post("/sandbox/api/reset", {})
    await eventually(lambda: any(e == "reset" for e, _ in events), what="the reset event")
    listener.cancel()
    assert (await page.chat(officer))["messages"] == []
    assert sandbox.app is not None and sandbox.app.store is not None
    assert sandbox.app.store.directives.all() == [], "the demo data is back as it was"


async def test_digest_files_on_both_apps(sandbox_page: Any) -> None:
    page, _, _ = sandbox_page
    _, state = await page.get("/sandbox/api/state")
    supervisor = _who(state, "supervisor")
    await page.say(supervisor, "/tonghop")
    files: list[dict[str, Any]] = []
    for _ in range(100):
        messages = (await page.chat(supervisor))["messages"]
        files = [m["file"] for m in messages if m["file"]]
        if len(files) >= 2:
            break
        await asyncio.sleep(0.05)
    assert {f["kind"] for f in files} == {"photo", "document"}, files
    for f in files:
        async with page.http.get(page.base + f["url"]) as resp:
            assert resp.status == 200 and len(await resp.read()) > 100
    await page.say(supervisor, "/tonghop", app="zalo")
    photos: list[dict[str, Any]] = []
    for _ in range(100):
        zalo = (await page.chat(supervisor, app="zalo"))["messages"]
        photos = [m["file"] for m in zalo if m["file"]]
        if photos and any("/sandbox/f/" in m["text"] for m in zalo):
            break
        await asyncio.sleep(0.05)
    assert photos and photos[0]["url"].startswith("/sandbox/f/")
    async with page.http.get(page.base + photos[0]["url"]) as resp:
        assert resp.status == 200 and resp.content_type == "image/png"


async def test_beside_a_real_platform_it_never_sends_there(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    config = load_config(
        write_config(tmp_path, admins=[], telegram_url=fake_telegram.base_url),
        environ=bot_environ(),
    )
    sandbox = Sandbox(config)
    routes, index = sandbox_routes(sandbox)
    app = App(config, web_routes=routes, index=index)
    await sandbox.start()
    await app.start()
    try:
        assert set(sandbox.platforms) == {("sandbox", "telegram"), ("sandbox", "zalo")}
        assert sandbox.app is not None and set(sandbox.app.platforms) == set(sandbox.platforms)
        assert sandbox.config.data_dir != config.data_dir
        async with aiohttp.ClientSession() as http:
            page = await Page(http, f"http://127.0.0.1:{app.web_port}").load()
            _, state = await page.get("/sandbox/api/state")
            officer = _who(state, "officer")
            await page.say(officer, "/chithi all: Thử")
            await _bot_says(page, officer, "Xem trước thông báo")
            await page.say(officer, "/xacnhan")
            await _bot_says(page, officer, "Đã gửi xong")
        sent = [e for e in fake_telegram.log.entries if e.method.lower().startswith("send")]
        assert sent == [], "the sandbox spoke to the real platform"
    finally:
        await sandbox.stop()
        await app.stop()


async def test_other_sites_and_other_host_names_cannot_drive_it(sandbox_page: Any) -> None:
    """A web page the trainer opens elsewhere posts text/plain (no preflight) to act as the
    admin: refused. A DNS-rebinding page (its own name now pointing here) can neither read the
    page's token nor call the API. The page itself still works, and still needs its token."""
    page, _, app = sandbox_page
    _, state = await page.get("/sandbox/api/state")
    admin = _who(state, "admin")
    say = {"persona": admin, "text": "/vaitro 1 admin 42"}
    url = page.base + "/sandbox/api/say"
    evil = "http://evil.example"
    forged = json.dumps(say)

    async def status(method: str, path: str, **kwargs: Any) -> tuple[int, str]:
        async with page.http.request(method, page.base + path, **kwargs) as resp:
            return resp.status, await resp.text()

    # Cross-site: a form or fetch from another site, with or without a token it cannot know.
    plain = {"Content-Type": "text/plain", "Origin": evil}
    assert (await status("POST", "/sandbox/api/say", data=forged, headers=plain))[0] == 403
    stolen = {**plain, "X-Sandbox-Token": page.token}
    assert (await status("POST", "/sandbox/api/say", data=forged, headers=stolen))[0] == 403
    null = {**page.headers, "Origin": "null"}
    assert (await status("POST", "/sandbox/api/reset", json={}, headers=null))[0] == 403
    other_port = {**page.headers, "Origin": f"http://127.0.0.1:{app.web_port + 1}"}
    assert (await status("POST", "/sandbox/api/say", json=say, headers=other_port))[0] == 403
    # No token, or a made-up one: refused even with no Origin (curl, an old browser).
    async with page.http.post(url, json=say) as resp:
        assert resp.status == 403 and "token" in (await resp.json())["error"]
    made_up = {"X-Sandbox-Token": page.token.split(".")[0] + ".0123456789abcdef"}
    assert (await status("POST", "/sandbox/api/say", json=say, headers=made_up))[0] == 403
    assert (await status("POST", "/sandbox/api/reset", json={}))[0] == 403
    assert (await status("GET", f"/sandbox/api/chat?persona={admin}&app=zalo"))[0] == 403

    # DNS rebinding: the request reaches this server under another name.
    rebound = {"Host": f"evil.example:{app.web_port}"}
    code, body = await status("GET", "/", headers=rebound)
    assert code == 403 and "sandbox-token" not in body
    assert (await status("GET", "/sandbox/api/state", headers=rebound))[0] == 403
    token_too = {**rebound, **page.headers}
    assert (await status("POST", "/sandbox/api/say", json=say, headers=token_too))[0] == 403
    assert (await status("POST", "/sandbox/api/reset", json={}, headers=token_too))[0] == 403

    # Nothing was said; the page itself (its own Origin, its token) and localhost still work.
    assert (await page.chat(admin))["messages"] == []
    own = {**page.headers, "Origin": page.base}
    assert (await status("POST", "/sandbox/api/say", json=say, headers=own))[0] == 200
    local = {"Host": f"localhost:{app.web_port}"}
    assert (await status("GET", "/sandbox/api/state", headers=local))[0] == 200
    code, body = await status("GET", "/", headers=local)
    assert code == 200 and TOKEN.search(body)


async def test_the_english_switch_changes_what_the_bot_says(sandbox_page: Any) -> None:
    """The page's EN switch is the person's language (a known person and a newcomer the bot has
    never seen); switching back to VI brings Vietnamese back."""
    page, sandbox, _ = sandbox_page
    _, state = await page.get("/sandbox/api/state")
    collab = _who(state, "collaborator")
    newcomer = _who(state, "")
    translate = sandbox.app.services.translate
    english = translate("en", "unknown.command", command="khongco")
    vietnamese = translate("vi", "unknown.command", command="khongco")
    assert english != vietnamese

    for who in (collab, newcomer):
        status, _ = await page.get("/sandbox/api/chat", persona=who, app="telegram",
                                   where="private", lang="en")  # fmt: skip
        assert status == 200
        await page.say(who, "/khongco")
        await _bot_says(page, who, english)
    status, _ = await page.post(
        "/sandbox/api/language", {"persona": collab, "app": "telegram", "lang": "vi"}
    )
    assert status == 200
    await page.say(collab, "/khongco")
    await _bot_says(page, collab, vietnamese)
    assert (await page.post("/sandbox/api/language", {"persona": collab, "lang": "fr"}))[0] == 400


@pytest.mark.parametrize(
    ("app", "text", "sent"),
    [
        ("zalo", "a" * 2000, True),
        ("zalo", "a" * 2001, False),
        ("zalo", "😀" * 1000, True),  # 2,000 as the bot counts (UTF-16 units)
        ("zalo", "😀" * 1001, False),  # 1,001 code points, but 2,002 as the bot counts
        ("zalo", "  " + "a" * 2000 + "\n", True),  # trimmed, as the bot trims it
        ("telegram", "a" * 4096, True),
        ("telegram", "ạ" * 4097, False),
    ],
    ids=["zalo-2000", "zalo-2001", "zalo-emoji-2000", "zalo-emoji-2002", "zalo-trimmed",
         "telegram-4096", "telegram-4097"],
)  # fmt: skip
async def test_each_app_takes_no_more_than_its_limit(
    sandbox_page: Any, app: str, text: str, sent: bool
) -> None:
    page, sandbox, _ = sandbox_page
    _, state = await page.get("/sandbox/api/state")
    collab = _who(state, "collaborator")
    status, body = await page.post(
        "/sandbox/api/say", {"persona": collab, "app": app, "where": "private", "text": text}
    )
    chat = (await page.chat(collab, app=app))["messages"]
    if sent:
        assert status == 200 and [m["text"] for m in chat if not m["from_bot"]] == [text.strip()]
        return
    limit = sandbox.platform(app).caps.max_text
    assert status == 400 and body["code"] == "too_long"
    assert body["params"] == {"n": len(text.encode("utf-16-le")) // 2, "max": limit}
    assert chat == [], "a message over the limit reached the chat"


async def test_a_keypad_of_a_form_that_has_ended_is_answered(sandbox_page: Any) -> None:
    """The collaborator starts the step-by-step form, leaves it with /huy, then presses a digit
    of its keypad: the sandbox passes the press to the bot, and the bot's answer (a pop-up or a
    message) reaches the presser's page saying the form has ended."""
    page, sandbox, _ = sandbox_page
    _, state = await page.get("/sandbox/api/state")
    collab = _who(state, "collaborator")
    await page.say(collab, "/baocao")
    keypad: dict[str, Any] = {}
    for _ in range(100):
        chat = (await page.chat(collab))["messages"]
        keypad = next((m for m in chat if m["buttons"]), {})
        if keypad:
            break
        await asyncio.sleep(0.05)
    assert keypad, "no keypad"
    digit = next(b["data"] for row in keypad["buttons"] for b in row if b["label"] == "1")
    await page.say(collab, "/huy")
    await _bot_says(page, collab, sandbox.app.services.translate("vi", "cancel.done"))

    events: list[tuple[str, Any]] = []
    listener = asyncio.create_task(_listen(page, collab, events))
    try:
        await asyncio.sleep(0.2)
        status, _ = await page.post("/sandbox/api/press", {
            "persona": collab, "app": "telegram", "where": "private",
            "message_id": keypad["id"], "data": digit,
        })  # fmt: skip
        assert status == 200, "the sandbox did not pass the press on"
        answers: list[str] = []

        def answered() -> bool:
            answers[:] = [d["text"] for e, d in events if e in ("toast", "message") and d["text"]]
            return bool(answers)

        await eventually(answered, what="an answer to the stale press")
    finally:
        listener.cancel()
    ended = sandbox.app.services.translate("vi", FORM_ENDED)
    assert answers == [ended], answers


async def test_beside_a_postgresql_deployment_the_sandbox_keeps_its_own_embedded_store(
    tmp_path: Path,
    pg_url: str,  # noqa: F811  (the fixture)
) -> None:
    """The training district never touches the real one's records, nor takes a place among
    its instances (it would lead them, and run the real reminders into training chats)."""
    config = load_config(
        write_config(tmp_path, admins=[], extra={"store": {"backend": "postgres"}}),
        environ={**bot_environ(), "DATABASE_URL": pg_url},
    )
    sandbox = Sandbox(config)
    routes, index = sandbox_routes(sandbox)
    app = App(config, platforms={}, web_routes=routes, index=index)
    await app.start()
    await sandbox.start()
    try:
        assert sandbox.app is not None and app.cluster is not None
        assert sandbox.app.cluster is None and sandbox.app.config.store.database_url is None
        assert sandbox.app.config.data_dir == config.data_dir / "sandbox"
        assert [p.id for p in app.cluster.peers()] == [app.cluster.id]  # the deployment alone
        assert app.store is not None and app.store.people.all() == []  # no demo people here
    finally:
        await sandbox.stop()
        await app.stop()
