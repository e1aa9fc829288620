"""AiohttpRequest, PTB's transport in the bot: parameters, files, and errors as PTB's own."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.platforms.telegram.http import AiohttpRequest

TOKEN = "4242:secret-token"


def _data(**params: Any) -> RequestData:
    """The parameters of one Bot API call, as PTB hands them to its transport."""
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]], asyncio.Event]]:
    seen: list[dict[str, Any]] = []
    release = asyncio.Event()

    async def method(request: web.Request) -> web.Response:
        if request.match_info["name"] == "stall":
            await release.wait()
        form = await request.post()
        fields = {k: (v.file.read() if hasattr(v, "file") else v) for k, v in form.items()}
        seen.append({"type": request.content_type, "fields": fields})
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/{name}", method)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/bot{TOKEN}", seen, release
    release.set()
    await runner.cleanup()


async def test_parameters_and_files_reach_the_server(server: Any) -> None:
    base, seen, _ = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        plain = _data(chat_id=42, text="Xin chào")
        status, _ = await request.do_request(f"{base}/sendMessage", "POST", plain)
        upload = InputFile(b"col1;col2", filename="bao-cao.csv")
        await request.do_request(
            f"{base}/sendDocument", "POST", _data(chat_id=42, document=upload)
        )
    finally:
        await request.shutdown()
    assert status == 200
    assert seen[0] == {
        "type": "application/x-www-form-urlencoded",
        "fields": {"chat_id": "42", "text": "Xin chào"},
    }
    assert seen[1]["type"] == "multipart/form-data"
    assert seen[1]["fields"]["chat_id"] == "42"
    assert b"col1;col2" in seen[1]["fields"].values()


async def test_a_stalled_answer_is_timed_out(server: Any) -> None:
    base, _, _ = server
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/stall", "POST", _data())
    finally:
        await request.shutdown()


async def test_network_errors_never_show_the_token() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(connect_timeout=2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert TOKEN not in str(caught.value) and "aiohttp." in str(caught.value)


async def test_unstarted_request_refuses() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")


async def test_the_proxy_from_the_environment_is_used(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP(S)_PROXY is honoured as PTB's httpx did (a host in NO_PROXY goes direct)."""
    base, seen, _ = server
    proxy = base.split("/bot")[0]  # the test server stands in for a forwarding proxy
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "direct.invalid")
    request = AiohttpRequest(connect_timeout=2)
    await request.initialize()
    try:
        status, _ = await request.do_request(
            f"http://api.telegram.invalid/bot{TOKEN}/sendMessage", "POST", _data(chat_id=7)
        )
        with pytest.raises(NetworkError):  # not through the proxy, and no such host
            await request.do_request(f"http://direct.invalid/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200 and seen == [
        {"type": "application/x-www-form-urlencoded", "fields": {"chat_id": "7"}}
    ]
