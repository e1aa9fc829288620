"""`python -m tests.support.bot_zygote`: imports the bot once, then forks a bot process for each
request, so that the crash tests, which start the bot dozens of times, do not pay Python's
start-up and the bot's imports (a second of CPU) for each start, nor the parsing of the message
catalogs (a few hundredths of a second).

A child is what `python -m bot run` (or any other `python -m bot` command) would be from there
on: its own process with the given arguments, environment, working directory, umask and stderr
log (stdin and stdout are /dev/null), running `bot.__main__.main`, exiting through the
interpreter as usual (or killed for real).

Requests come as JSON lines on stdin: {"argv": [...], "env": {...}, "cwd": "...", "log": "...",
"umask": 18} (the umask the test's process has, as a subprocess would inherit it).
Answers go as JSON lines on stdout: {"started": pid} for each request in turn, and
{"exited": pid, "code": c} when a child ends (c as asyncio gives it: -9 after SIGKILL). At the
end of stdin the children still running are killed and the zygote exits.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import select
import signal
import sys
from typing import Any, NoReturn

# What `python -m bot run` imports: before it starts (bot.__main__._run), and while it starts
# (the platform adapters with python-telegram-bot, the store's backends, the command menu).
PRELOAD = (
    "bot.__main__", "bot.app.logs", "bot.app.menu", "bot.app.runtime", "bot.app.wiring",
    "bot.cli.parser", "bot.config.loading", "bot.platforms.telegram.adapter",
    "bot.platforms.telegram.intake", "bot.platforms.zalo.transport", "bot.platforms.zalo.webhook",
    "bot.sandbox.graph", "bot.sandbox.web", "bot.store", "bot.store.embedded.tinydb_store",
    "bot.app.store_choice", "bot.store.postgres.store", "bot.store.postgres.cluster",
    "_strptime",
)  # fmt: skip


def _warm() -> None:
    """What every start would parse again from the same files: the message catalogs (cached
    per process once read, as a long-running bot reads them once)."""
    try:
        i18n = importlib.import_module("bot.core.i18n")
    except ImportError:
        return
    catalog = getattr(i18n, "_catalog", None)
    if callable(catalog):
        for lang in getattr(i18n, "LANGUAGES", ()):
            catalog(lang)


def _stream(fd: int) -> io.TextIOWrapper:
    """An unbuffered text stream on `fd` (the tests started the bot with PYTHONUNBUFFERED)."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", write_through=True)


def _child(request: dict[str, Any], inherited: tuple[int, ...]) -> NoReturn:
    """In the forked child: become the bot process the request describes, and run it."""
    for fd in inherited:
        os.close(fd)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    if "umask" in request:
        os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    null = os.open(os.devnull, os.O_RDWR)
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(log, 2)
    os.close(null)
    os.close(log)
    sys.stdout, sys.stderr = _stream(1), _stream(2)
    sys.argv = ["bot", *request["argv"]]
    from bot.__main__ import main

    raise SystemExit(main(request["argv"]))


def _serve() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # moved or renamed: the child imports what it needs, only slower
            pass
    _warm()
    answers = os.dup(1)  # stdout is the answers' channel only: nothing else may write there
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # select wakes on the wake-up pipe
    children: set[int] = set()
    pending = b""

    def answer(message: dict[str, int]) -> None:
        os.write(answers, json.dumps(message).encode() + b"\n")

    while True:
        ready, _, _ = select.select([0, wake_r], [], [])
        if wake_r in ready:
            while True:
                try:
                    if not os.read(wake_r, 512):
                        break
                except BlockingIOError:
                    break
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            children.discard(pid)
            answer({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
        if 0 not in ready:
            continue
        data = os.read(0, 1 << 16)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _child(request, (answers, wake_r, wake_w))
            children.add(pid)
            answer({"started": pid})
    for pid in children:  # the tests are over: leave no bot behind
        os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    _serve()
