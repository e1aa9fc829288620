"""The bot as a real process of its own, for crash and start-up tests: `python -m bot run`,
started as such, or (`forked=True`, for tests that restart it dozens of times) forked from a
zygote that has imported the bot already (tests/support/bot_zygote.py).

One zygote serves every test of a test process (it is not tied to a test's event loop); each
bot it forks is a separate process with its own arguments, environment and log, stopped or
killed with real signals. The zygote saves each start Python's start-up and the bot's imports,
a second or so: a restart then comes sooner than a real one would, so tests whose fakes count
flood windows across a restart keep the ordinary start.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class _Zygote:
    """The client side of the zygote: requests on its stdin, answers read from its stdout."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.bot_zygote"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._requests = self.proc.stdin.fileno()
        self._answers = self.proc.stdout.fileno()
        os.set_blocking(self._answers, False)
        self._buffer = b""
        self._started: deque[int] = deque()
        self.exits: dict[int, int] = {}
        self.gone = False

    def close(self) -> None:
        """End of requests: the zygote kills what still runs and exits."""
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def read(self) -> None:
        """Take in whatever answers have come, without waiting."""
        while not self.gone:
            try:
                data = os.read(self._answers, 1 << 16)
            except BlockingIOError:
                return
            if not data:
                self.gone = True
                return
            self._buffer += data
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                answer = json.loads(line)
                if "started" in answer:
                    self._started.append(answer["started"])
                else:
                    self.exits[answer["exited"]] = answer["code"]

    async def _until(self, done: Callable[[], bool]) -> None:
        self.read()
        if done() or self.gone:
            return
        loop = asyncio.get_running_loop()
        arrived = asyncio.Event()

        def readable() -> None:
            self.read()
            if done() or self.gone:
                arrived.set()

        loop.add_reader(self._answers, readable)
        try:
            await arrived.wait()
        finally:
            loop.remove_reader(self._answers)

    def _check(self) -> None:
        if self.gone:
            msg = f"the bot zygote exited (code {self.proc.poll()})"
            raise RuntimeError(msg)

    async def spawn(self, argv: list[str], *, env: dict[str, str], log: Path) -> int:
        request = {"argv": argv, "env": env, "cwd": str(ROOT), "log": str(log)}
        os.write(self._requests, json.dumps(request).encode() + b"\n")
        await self._until(lambda: bool(self._started))
        self._check()
        return self._started.popleft()

    async def exit_code(self, pid: int) -> int:
        await self._until(lambda: pid in self.exits)
        self._check()
        return self.exits[pid]


_zygote: _Zygote | None = None


def _the_zygote() -> _Zygote:
    global _zygote
    if _zygote is None or _zygote.gone or _zygote.proc.poll() is not None:
        _zygote = _Zygote()
        atexit.register(_zygote.close)
    return _zygote


class ForkedProcess:
    """A bot the zygote forked, with the calls of asyncio's Process that the tests use."""

    def __init__(self, zygote: _Zygote, pid: int) -> None:
        self._zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def send_signal(self, sig: int) -> None:
        self._zygote.read()
        if self.returncode is None and self.pid not in self._zygote.exits:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        if self.returncode is None:
            self.returncode = await self._zygote.exit_code(self.pid)
        return self.returncode


class BotProcess:
    """`python -m bot run` as a real process of its own, for crash and start-up tests."""

    def __init__(
        self, config_path: Path, environ: dict[str, str], *, forked: bool = False
    ) -> None:
        self.config_path = config_path
        self.env = {**os.environ, **environ, "PYTHONUNBUFFERED": "1"}
        self.forked = forked
        self.proc: asyncio.subprocess.Process | ForkedProcess | None = None
        self.log_path = config_path.parent / "bot-stderr.log"

    async def start(self) -> None:
        argv = ["run", "--config", str(self.config_path)]
        if self.forked:
            self.log_path.open("ab").close()  # there from the start, as a redirected stderr is
            zygote = _the_zygote()
            pid = await zygote.spawn(argv, env=self.env, log=self.log_path)
            self.proc = ForkedProcess(zygote, pid)
            return
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *argv, cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=self.log_path.open("ab"),
        )  # fmt: skip

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the child."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self.proc = None

    def stderr(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
