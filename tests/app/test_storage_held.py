"""A disk that refuses a handler's commit halfway through writing it.

The collaborator's report was taken in (its receipt is small and fitted) but its commit is cut
short by ENOSPC at the journal's write(2). The report is kept, not apologised for: its sender
is told once that it waits, the admin once that the disk is full, /healthz says why, and a
newer message is not taken in meanwhile. When the disk takes writes again the report is handled
from the start and echoed once, the newer message after it, the admin hears it is over; the
journal holds no piece of the refused commit, and the store opens whole after a restart.
The refusal is injected at the journal's lowest write call; tests/app/test_disk_full.py fills a
real filesystem instead.
"""

from __future__ import annotations

import errno
import json
import os
import re
from typing import Any

from bot.store import StoreWriteError
from bot.store.embedded import journal
from tests.support.harness import World, eventually

HELD = "Tin này đã được giữ lại"
ALERT = "không ghi được dữ liệu"
RECOVERED = "ghi được dữ liệu trở lại"


class FullDisk:
    """`os` as the journal sees it: while `full`, a commit writing anything but the inbox is cut
    halfway (the first write(2) takes half the line, the next one fails with ENOSPC)."""

    def __init__(self) -> None:
        self.full = False
        self.refused = 0
        self._cut = False

    def write(self, fd: int, data: Any) -> int:
        if self._cut:
            self._cut = False
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if self.full and b'["inbox",' not in bytes(data):
            self.refused += 1
            self._cut = True
            return os.write(fd, bytes(data)[: max(len(data) // 2, 1)])
        return os.write(fd, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


async def test_a_commit_cut_short_by_a_full_disk_is_kept_and_done_once_later(
    world: World, monkeypatch: Any
) -> None:
    d = world.driver
    admin, collab = d.person("Quản trị"), d.person("Chị Hoa")
    app = await world.start(admins=[admin])
    await d.say(admin, d.private(admin), "/batdau")
    await d.say(collab, d.private(collab), "/batdau")
    number = re.search(r"mã số (\d+)", (await d.say(collab, d.private(collab), "/toi"))[0])
    assert number is not None
    a_chat, c_chat = d.private(admin), d.private(collab)
    await d.say(admin, a_chat, f"/vaitro {number.group(1)} ctv Thôn Sơn Ninh")
    disk = FullDisk()
    monkeypatch.setattr(journal, "os", disk)

    disk.full = True
    await d.type(collab, c_chat, "/bc sinh 3, chet 1")
    await eventually(lambda: any(HELD in t for t in d.texts(c_chat)), what="the held notice")
    await eventually(lambda: any(ALERT in t for t in d.texts(a_chat)), what="the admin's alert")
    assert disk.refused >= 1
    health = app.health()
    assert health["status"] == "degraded" and health["storage"]["ok"] is False
    assert "ENOSPC" in health["storage"]["reason"]
    await d.type(collab, c_chat, "/bc sinh 4, chet 0")  # not taken in while the disk is full
    before = len(d.texts(c_chat))
    await eventually(lambda: disk.refused >= 3, what="the probe trying again")
    assert not any(t.startswith("✅ Đã lưu báo cáo") for t in d.texts(c_chat))

    disk.full = False
    await eventually(lambda: sum(t.startswith("✅") for t in d.texts(c_chat)) >= 2,
                     timeout=30, what="both reports, once the disk takes writes")  # fmt: skip
    await eventually(lambda: any(RECOVERED in t for t in d.texts(a_chat)), timeout=30,
                     what="the all-clear")  # fmt: skip
    echoes = [t for t in d.texts(c_chat)[before - 1 :] if t.startswith("✅ Đã lưu báo cáo")]
    assert [e.split("Sinh: ")[1].split("\n")[0] for e in echoes] == ["3", "4"], "in order"
    assert sum(HELD in t for t in d.texts(c_chat)) == 1, "told once"
    assert sum(ALERT in t for t in d.texts(a_chat)) == 1, "told once"
    assert app.health()["status"] == "ok"

    assert app.store is not None
    path = app.config.data_dir / "journal.jsonl"
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"", "the journal ends with a whole line"
    assert all(json.loads(line)["ops"] for line in lines[:-1]), "no piece of a refused commit"

    app = await world.restart()
    assert app.store is not None
    assert app.store.inbound.waiting() == [], "nothing left to replay"
    assert sum(1 for _ in app.store.reports.latest_by_reporter(_reporter(app, collab.key), limit=9)
               ) == 2, "each report stored once"  # fmt: skip


def _reporter(app: Any, key: str) -> int:
    person = app.store.people.by_account(key)
    assert person is not None
    return int(person.id)


class FailingSync(FullDisk):
    """`os` as the journal sees it: the next fdatasync fails with EIO (a failing disk)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_sync = False

    def fdatasync(self, fd: int) -> None:
        if self.fail_sync:
            self.fail_sync = False
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        os.fdatasync(fd)


def test_a_commit_whose_fsync_fails_is_not_kept(tmp_path: Any, monkeypatch: Any) -> None:
    """fsync="always": a line whose fsync failed was never acknowledged, so it must not be
    replayed as a commit either; the next commit follows the last good one."""
    disk = FailingSync()
    monkeypatch.setattr(journal, "os", disk)
    path = tmp_path / "journal.jsonl"
    log = journal.Journal(path, fsync="always")
    try:
        log.append(b'{"ops": [["meta", "a", 1]]}')
        disk.fail_sync = True
        try:
            log.append(b'{"ops": [["meta", "b", 2]]}')
        except StoreWriteError as exc:
            assert "Input/output error" in str(exc)
        else:
            raise AssertionError("a failed fsync must refuse the commit")
        log.append(b'{"ops": [["meta", "c", 3]]}')
    finally:
        log.close()
    replay = journal.read_journal(path)
    assert [e["ops"][0][1] for e in replay.entries] == ["a", "c"] and not replay.torn
