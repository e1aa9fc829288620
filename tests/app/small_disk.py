"""The bot as a real `python -m bot run` process whose data directory is a small filesystem of
its own, which a test fills up and frees while the bot runs: the kernel's own ENOSPC, at every
write the bot makes, wherever it makes it.

The process runs in a mount namespace of its own (`unshare -m`) with a tmpfs mounted on its data
directory, so nothing outside it sees the mount and the mount goes away with the process. The
test reaches the filesystem through /proc/<pid>/root. Needs root (or the right to unshare and
mount); `available()` says whether this machine allows it, and the tests skip otherwise.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.config.loading import load_config
from tests.support.bot_process import ROOT, BotProcess

# Mount a tmpfs of size $1 on $2, copy the seeded data directory $3 into it, fill it up when
# $4 is "full", run the rest.
_SCRIPT = (
    'mount -t tmpfs -o size="$1",mode=0700 tmpfs "$2" && cp -a "$3/." "$2/" '
    '&& if [ "$4" = full ]; then cat /dev/zero > "$2/filler" 2>/dev/null; fi; '
    'shift 4 && exec "$@"'
)


@functools.cache
def available() -> bool:
    """Whether a process here may unshare its mount namespace and mount a tmpfs."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        try:
            done = subprocess.run(
                ["unshare", "-m", "--propagation", "private", "sh", "-c",
                 'mount -t tmpfs -o size=64k tmpfs "$1"', "sh", folder],
                capture_output=True, timeout=20, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return False
    return done.returncode == 0


class SmallDiskBot(BotProcess):
    """`python -m bot run` on a tmpfs of `size` holding a copy of the config's data directory
    (seed it first). Every start begins from that copy again: the tmpfs dies with the process."""

    def __init__(self, config_path: Path, environ: dict[str, str], *, size: str = "4m") -> None:
        super().__init__(config_path, environ)
        self.size = size
        self.seed = load_config(config_path, environ=environ).data_dir
        self.mount = config_path.parent / "small-disk"
        self.log_path = config_path.parent / "small-disk-bot.log"

    async def start(self, *, full: bool = False) -> None:
        """Start the bot on a fresh copy of the seed; `full`: a disk already full at start."""
        self.seed.mkdir(parents=True, exist_ok=True)
        self.mount.mkdir(exist_ok=True)
        argv = [sys.executable, "-m", "bot", "run", "--config", str(self.config_path)]
        self.proc = await asyncio.create_subprocess_exec(
            "unshare", "-m", "--propagation", "private", "sh", "-c", _SCRIPT, "sh",
            self.size, str(self.mount), str(self.seed), "full" if full else "-", *argv,
            cwd=ROOT, env={**self.env, "BOT_DATA_DIR": str(self.mount)},
            stdout=asyncio.subprocess.DEVNULL, stderr=self.log_path.open("ab"),
        )  # fmt: skip

    @property
    def disk(self) -> Path:
        """The data directory as the bot sees it (its tmpfs), from outside its namespace."""
        assert self.proc is not None
        return Path(f"/proc/{self.proc.pid}/root") / str(self.mount).lstrip("/")

    def fill(self) -> int:
        """Write a file until the filesystem is full; the bytes written."""
        written = 0
        block = b"\0" * 65536
        fd = os.open(self.disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                try:
                    written += os.write(fd, block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
            # The last partial page too: nothing is left for anyone.
            for size in (4096, 512, 64, 1):
                while True:
                    try:
                        written += os.write(fd, block[:size])
                    except OSError:
                        break
        finally:
            os.close(fd)
        return written

    def free(self) -> None:
        """Delete what fill() wrote: the space comes back."""
        (self.disk / "filler").unlink()

    def copy_data(self, to: Path) -> Path:
        """A copy of the data directory as it is now (as after a crash: the journal may end in
        a cut line), for opening with open_store; without the filler."""
        shutil.copytree(self.disk, to, ignore=shutil.ignore_patterns("filler"))
        return to
