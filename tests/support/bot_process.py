"""The bot as a real process of its own, for crash and start-up tests: `python -m bot run`,
started as such, or (`forked=True`, for tests that restart it dozens of times) forked from a
zygote that has imported the bot already (tests/support/bot_zygote.py).

One zygote serves every test of a test process (it is not tied to a test's event loop); each
bot it forks is a separate process with its own arguments, environment and log, stopped or
killed with real signals. The zygote saves each start Python's start-up and the bot's imports,
a second or so of CPU: a restart then comes sooner than a real one would, so a test whose fakes
count flood windows across a restart gives a `restart_delay` (as a supervisor's RestartSec), or
keeps the ordinary start.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import subprocess
import sys
import time
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
        request = {"argv": argv, "env": env, "cwd": str(ROOT), "log": str(log), "umask": _umask()}
        os.write(self._requests, json.dumps(request).encode() + b"\n")
        await self._until(lambda: bool(self._started))
        self._check()
        return self._started.popleft()

    async def exit_code(self, pid: int) -> int:
        await self._until(lambda: pid in self.exits)
        self._check()
        return self.exits[pid]


_zygote: _Zygote | None = None


def _umask() -> int:
    """This process's umask, which a subprocess would inherit (no call only reads it)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


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

    def poll(self) -> int | None:
        """The exit code once the process has ended, else None (without waiting)."""
        self._zygote.read()
        return self._zygote.exits.get(self.pid, self.returncode)

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


async def forked_command(argv: list[str], *, env: dict[str, str], log: Path) -> ForkedProcess:
    """`python -m bot <argv>` forked from the zygote, with exactly the environment `env` and this
    process's umask; its stderr is appended to `log`, its stdout goes to /dev/null."""
    log.open("ab").close()  # there from the start, as a redirected stderr is
    zygote = _the_zygote()
    return ForkedProcess(zygote, await zygote.spawn(argv, env=env, log=log))


class BotProcess:
    """`python -m bot run` as a real process of its own, for crash and start-up tests."""

    def __init__(
        self,
        config_path: Path,
        environ: dict[str, str],
        *,
        forked: bool = False,
        restart_delay: float = 0.0,
    ) -> None:
        """`restart_delay`: a start after a kill or stop comes no sooner than this many seconds
        after the process ended, as under a supervisor (deploy/tro-ly-dan-so.service waits 5 s):
        one second lets a platform's per-second flood windows forget the sends of the process
        before, as any real restart would."""
        self.config_path = config_path
        self.env = {**os.environ, **environ, "PYTHONUNBUFFERED": "1"}
        self.forked = forked
        self.restart_delay = restart_delay
        self.proc: asyncio.subprocess.Process | ForkedProcess | None = None
        self.log_path = config_path.parent / "bot-stderr.log"
        self._ended_at: float | None = None  # monotonic time the last process was seen to end

    async def start(self) -> None:
        if self._ended_at is not None and self.restart_delay > 0:
            await asyncio.sleep(self._ended_at + self.restart_delay - time.monotonic())
        argv = ["run", "--config", str(self.config_path)]
        if self.forked:
            self.proc = await forked_command(argv, env=self.env, log=self.log_path)
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
        self._ended_at = time.monotonic()
        self.proc = None

    async def exited(self, timeout: float) -> int:
        """The exit code of a process the test signalled itself (SIGTERM), within `timeout`
        seconds (else TimeoutError, and the process is left for `stop`)."""
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        self._ended_at = time.monotonic()
        self.proc = None
        return code

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
            self._ended_at = time.monotonic()
        self.proc = None

    def stderr(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
