"""Several bot processes on one PostgreSQL database, behind one proxy: the harness of the tests
of several instances (tests/cluster, issue #19).

- `WebhookProxy`: what Caddy or nginx is in production (docs/deploy.md). A round-robin HTTP
  proxy on 127.0.0.1 in front of the instances' web servers: each call goes to the next
  instance; one that refuses the connection (it died) is skipped for the next, as nginx's
  `proxy_next_upstream error` does; a call cut off inside an instance (killed while it held
  it) is answered 502, so that the platform sends it again, as Telegram does with an update
  whose webhook call got no 2xx (`cut_next` loses one answer on purpose, to the same end). It
  logs which instance took each call and what it answered.
- `Instance`: one `python -m bot run` (forked from the zygote, tests/support/bot_process.py)
  with its own data directory and web port (BOT_DATA_DIR, BOT_WEB_PORT=0: the port it took is
  read from its "bot started" log line), the same config file, database, files folder and link
  secret as the others; `health()` reads its /healthz.
- `Cluster`: the instances and the proxy together, started in order and stopped at the end.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import LoopbackServer
from tests.support.bot_process import BotProcess

# Headers that belong to one hop of HTTP, never forwarded by a proxy (RFC 9110 7.6.1), and those
# aiohttp sets itself from the body it sends.
_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length", "content-encoding",
})  # fmt: skip
START_TIMEOUT = 60.0  # seconds for an instance to say "bot started" (2 cores, shared)


@dataclass(frozen=True, slots=True)
class Forwarded:
    """One call the proxy passed on: to which port, which path, and the status it answered
    (502: the instance took the call and died before answering; 0: no instance could be
    reached)."""

    port: int
    method: str
    path: str
    status: int


class WebhookProxy:
    """Round-robin over `backends` (instance ports), as a load balancer in front of them."""

    def __init__(self) -> None:
        self.backends: list[int] = []
        self.forwarded: list[Forwarded] = []
        self._next = 0
        self._cut: dict[int, asyncio.Event] = {}
        self._session: aiohttp.ClientSession | None = None
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = LoopbackServer(app)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    async def start(self) -> str:
        # Kept-alive connections, as nginx's upstream keepalive: one to a killed instance fails
        # on its next use (a 502, and the platform sends the call again).
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60),
            auto_decompress=False,
        )
        return await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def cut_next(self, port: int) -> asyncio.Event:
        """The next call to `port` is carried out there, but its answer is lost on the way back
        (the caller gets 502, as when the connection breaks): the event is set once it was."""
        self._cut[port] = asyncio.Event()
        return self._cut[port]

    def acknowledged(self, port: int) -> int:
        """Calls the instance on `port` answered 200."""
        return sum(1 for f in self.forwarded if f.port == port and f.status == 200)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        for _ in range(len(self.backends)):
            port = self.backends[self._next % len(self.backends)]
            self._next += 1
            url = f"http://127.0.0.1:{port}{request.path_qs}"
            try:
                async with self._session.request(
                    request.method, url, data=body, headers=headers, allow_redirects=False
                ) as resp:
                    payload = await resp.read()
                    answer = web.Response(
                        status=resp.status, body=payload,
                        headers={k: v for k, v in resp.headers.items() if k.lower() not in _HOP},
                    )  # fmt: skip
            except aiohttp.ClientConnectorError:
                continue  # nobody listens there (a dead instance): the next one takes it
            except (aiohttp.ClientError, TimeoutError):
                # Taken in and never answered: whether it was done there is unknown.
                self.forwarded.append(Forwarded(port, request.method, request.path, 502))
                return web.Response(status=502, text="upstream closed the connection")
            cut = self._cut.pop(port, None)
            if cut is not None:
                self.forwarded.append(Forwarded(port, request.method, request.path, 502))
                cut.set()
                return web.Response(status=502, text="the answer was lost")
            self.forwarded.append(Forwarded(port, request.method, request.path, resp.status))
            return answer
        self.forwarded.append(Forwarded(0, request.method, request.path, 0))
        return web.Response(status=502, text="no instance reachable")


class Instance:
    """One bot process of the cluster."""

    def __init__(
        self, name: str, folder: Path, config_path: Path, environ: Mapping[str, str]
    ) -> None:
        self.name = name
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        env = {**environ, "BOT_DATA_DIR": str(folder / "data"), "BOT_WEB_PORT": "0"}
        self.process = BotProcess(config_path, env, forked=True)
        self.process.log_path = folder / "bot-stderr.log"  # not beside the shared config
        self.port = 0
        self.id = ""  # the instance id the cluster knows it by (from /healthz)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        proc = self.process.proc
        if proc is None:
            return False
        code = proc.poll() if hasattr(proc, "poll") else proc.returncode
        return code is None

    def log_messages(self) -> list[str]:
        """The `msg` of each JSON line the latest start logged (other lines as they are)."""
        found = []
        for line in self.process.stderr().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                found.append(line)
                continue
            found.append(str(entry.get("msg", "")) if isinstance(entry, dict) else line)
        return found

    def _started_port(self) -> int | None:
        for msg in self.log_messages():
            if msg.startswith("bot started") and "web_port=" in msg:
                return int(msg.rsplit("web_port=", 1)[1].split()[0])
        return None

    async def start(self) -> None:
        """Start the process and wait for its "bot started" line (AssertionError, with its log,
        when it exits or says nothing within START_TIMEOUT)."""
        self.process.log_path.write_text("")  # the latest start's lines only
        self.port, self.id = 0, ""
        await self.process.start()
        deadline = time.monotonic() + START_TIMEOUT
        while (port := self._started_port()) is None:
            if not self.running or time.monotonic() > deadline:
                why = "exited" if not self.running else f"said nothing in {START_TIMEOUT:g} s"
                msg = f"instance {self.name} {why}:\n{self.process.stderr()[-3000:]}"
                raise AssertionError(msg)
            await asyncio.sleep(0.02)
        self.port = port
        self.id = (await self.health())["cluster"]["instance"]

    async def exit_code(self, timeout: float) -> int:
        """The exit code of a process that ends by itself (a refused start)."""
        return await self.process.exited(timeout)

    async def kill(self) -> None:
        await self.process.kill()

    async def stop(self) -> None:
        await self.process.stop()

    async def health(self) -> dict[str, Any]:
        """What /healthz says (200 or 503 alike: a degraded instance still says who it is)."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{self.url}/healthz") as resp,
        ):
            return await resp.json()


class Cluster:
    """`names` instances on one config and one database, behind one proxy."""

    def __init__(
        self,
        folder: Path,
        config_path: Path,
        environ: Mapping[str, str],
        proxy: WebhookProxy,
        names: tuple[str, ...] = ("a", "b"),
    ) -> None:
        self.proxy = proxy
        self.instances = {n: Instance(n, folder / n, config_path, environ) for n in names}

    def __getitem__(self, name: str) -> Instance:
        return self.instances[name]

    def _route(self) -> None:
        self.proxy.backends = [i.port for i in self.instances.values() if i.port]

    async def start(self, *names: str) -> None:
        """Start the named instances (all by default) one after the other, each taken into the
        proxy's rotation once it is up; then wait until every running one counts them all."""
        for name in names or tuple(self.instances):
            await self.instances[name].start()
            self._route()
        await self.until_live()

    async def restart(self, name: str) -> None:
        """Start a killed or stopped instance again (its new port replaces its old one)."""
        await self.start(name)

    async def kill(self, name: str) -> None:
        """SIGKILL: its port stays in the proxy's rotation, refusing, as a dead upstream does."""
        await self.instances[name].kill()

    async def stop(self) -> None:
        # One after the other: the zygote's client waits for one exit at a time (two waits at
        # once would share its one reader, and the first would wait out its timeout).
        for instance in self.instances.values():
            await instance.stop()

    def running(self) -> list[Instance]:
        return [i for i in self.instances.values() if i.running]

    async def until_live(self, timeout: float = 30.0) -> None:
        """Until every running instance's /healthz counts exactly the running ones as live."""
        expected = {i.id for i in self.running()}

        async def counted() -> bool:
            for inst in self.running():
                peers = (await inst.health())["cluster"]["peers"] or []
                if {p["id"] for p in peers if p["alive"]} != expected:
                    return False
            return True

        await until(counted, timeout=timeout, what=f"the instances to see {sorted(expected)}")

    async def leader(self, timeout: float = 30.0) -> Instance:
        """The one running instance whose /healthz says it leads (waiting until exactly one
        does)."""
        found: list[Instance] = []

        async def one() -> bool:
            found[:] = [i for i in self.running() if (await i.health())["cluster"]["leader"]]
            return len(found) == 1

        await until(one, timeout=timeout, what="exactly one leader")
        return found[0]

    def by_id(self, instance_id: str) -> Instance:
        return next(i for i in self.instances.values() if i.id == instance_id)


async def until(check: Any, *, timeout: float, what: str, pause: float = 0.1) -> None:
    """Like harness.eventually, for an async check (one that asks the instances over HTTP)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout:g} s waiting for {what}"
            raise AssertionError(msg)
        await asyncio.sleep(pause)


__all__ = ["Cluster", "Forwarded", "Instance", "WebhookProxy", "until"]
