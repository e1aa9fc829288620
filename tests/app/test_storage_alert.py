"""The storage watch: one alert and one all-clear per episode, however the disk flaps."""

from __future__ import annotations

import asyncio
import errno

import pytest

from bot.app.storage_alert import StorageWatch, describe, is_storage_failure
from bot.store import DuplicateKeyError, StoreWriteError

pytestmark = pytest.mark.virtual_time


def _full() -> StoreWriteError:
    exc = StoreWriteError("could not write the store journal /srv/x/journal.jsonl")
    exc.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    return exc


async def test_a_flapping_disk_is_one_episode_for_the_admins() -> None:
    told: list[tuple[str, str]] = []
    disk = {"full": True}

    def probe() -> None:
        if disk["full"]:
            raise _full()

    async def tell(key: str, *, reason: str = "") -> int:
        told.append((key, reason))
        return 1

    watch = StorageWatch(probe=probe, tell=tell, probe_every=2.0, settle=10.0)
    try:
        watch.failed(_full())
        assert watch.failing and watch.state()["reason"] == "No space left on device (ENOSPC)"
        await asyncio.sleep(5)
        assert told == [("storage.failing", "No space left on device (ENOSPC)")]

        disk["full"] = False
        await asyncio.sleep(3)
        assert not watch.failing, "the probe ended the episode: intake goes on at once"
        watch.failed(_full())  # full again before the all-clear settled
        disk["full"] = True
        await asyncio.sleep(20)
        disk["full"] = False
        await asyncio.sleep(3)
        assert not watch.failing and [k for k, _ in told] == ["storage.failing"]
        await asyncio.sleep(11)
        assert [k for k, _ in told] == ["storage.failing", "storage.recovered"]
        assert watch.episodes == 2

        watch.failed(_full())  # a new episode after the all-clear is told again
        await asyncio.sleep(1)
        assert [k for k, _ in told][-1] == "storage.failing"
    finally:
        await watch.stop()


def test_only_a_refused_write_counts_as_the_disk() -> None:
    assert is_storage_failure(_full())
    assert is_storage_failure(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert not is_storage_failure(DuplicateKeyError("account taken"))
    assert not is_storage_failure(OSError(errno.ECONNRESET, "reset"))
    assert describe(ValueError("x")) == "x"
