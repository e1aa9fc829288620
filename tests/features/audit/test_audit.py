"""The audit trail end to end: privileged actions over the fake Telegram are recorded where
they happen, /nhatky shows them to admins newest first, and `python -m bot audit` prints a
period from the store once the bot has stopped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.audit import run_audit
from bot.cli.common import FAILED, OK
from bot.core.clock import ManualClock
from bot.features.audit.log import AuditLog, cli_who
from bot.store import open_store
from tests.support.directive_helpers import bind_huong_son_group, district_team
from tests.support.harness import World, bot_environ
from tests.support.store_choice import embedded_only

ROOT = Path(__file__).resolve().parents[3]
LINE = re.compile(r"^\d\d/\d\d \d\d:\d\d · ")


def _one(texts: list[str], start: str) -> str:
    """The reply starting with `start` (a send's report may arrive in the same chat)."""
    found = [t for t in texts if t.startswith(start)]
    assert found, texts
    return found[0]


@embedded_only("a CLI command refuses while the running bot holds data_dir's lock")
async def test_privileged_actions_are_listed_for_admins_newest_first(
    tg_world: World, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # Consent has its own tests; here a newcomer registers without that step.
    team = await district_team(tg_world, extra={"privacy": {"consent_required": False}})
    d = tg_world.driver
    lan, admin = d.private(team.lan), d.private(team.admin)
    mai = d.person("Chị Mai")
    await d.say(mai, d.private(mai), "/dangky Thôn Sơn Ninh")
    clock.advance(minutes=5)
    assert (await d.say(team.lan, lan, "/duyet 1"))[0].startswith("✅ Đã duyệt #1")
    group = bind_huong_son_group(tg_world, team)
    assert (await d.say(team.lan, group, "/gannhom Xã Hương Sơn"))[0].startswith("✅")
    await d.say(team.lan, lan, "/chithi all: Họp giao ban sáng thứ Hai")
    assert (await d.say(team.lan, lan, "/xacnhan"))[0].startswith("Đã xếp gửi thông báo số 1")
    added = _one(
        await d.say(team.lan, lan, "/nhac them hang ngay luc 16:00: Cập nhật"), "✅ Đã đặt"
    )
    number = added.split("số ")[1].split(":")[0]
    clock.advance(minutes=5)
    assert _one(await d.say(team.lan, lan, f"/nhac xoa {number}"), "🗑") == (
        f"🗑 Đã xóa nhắc việc số {number}."
    )
    assert _one(await d.say(team.lan, lan, "/xuat thang 11"), "📊")

    refused = await d.say(team.lan, lan, "/nhatky")  # the directive's report may come too
    assert _one(refused, "Lệnh /nhatky") == "Lệnh /nhatky chỉ dành cho: quản trị."
    assert not any(t.startswith("Nhật ký") for t in refused)
    assert "/nhatky" in (await d.say(team.admin, admin, "/trogiup"))[0]
    assert "/nhatky" not in _one(await d.say(team.lan, lan, "/trogiup"), "Các lệnh")

    shown = await d.say(team.admin, admin, "/nhatky")
    assert len(shown) == 1, shown
    header, *lines = shown[0].split("\n")
    assert header == "Nhật ký: 11 thao tác gần nhất, mới nhất trước."
    assert all(LINE.match(line) for line in lines), lines
    assert [line[len("23/11 08:10 · ") :] for line in lines[:7]] == [
        "Cán bộ Lan · xuất báo cáo: Xã Hương Sơn (2026-11) · chat riêng",
        f"Cán bộ Lan · xóa lịch nhắc: lịch nhắc số {number} (Xã Hương Sơn) · chat riêng",
        f"Cán bộ Lan · thêm lịch nhắc: lịch nhắc số {number} (Xã Hương Sơn) · chat riêng",
        "Cán bộ Lan · gửi thông báo: thông báo số 1 (Xã Hương Sơn) · chat riêng",
        "Cán bộ Lan · gán nhóm: Xã Hương Sơn · nhóm Xã Hương Sơn",
        "Cán bộ Lan · duyệt đăng ký: Chị Mai (Thôn Sơn Ninh) · chat riêng",
        "Quản trị · giao vai trò: Anh Bình (cộng tác viên, Tổ dân phố Trung Lương) · chat riêng",
    ]
    assert lines[0].startswith("23/11 08:10") and lines[-1].startswith("23/11 08:00")
    assert lines[-1].endswith(
        "Cán bộ Khu vực (cán bộ, Trung tâm Y tế khu vực Hồng Lĩnh) · chat riêng"
    )
    few = (await d.say(team.admin, admin, "/nhatky 2"))[0].split("\n")
    assert few[0] == "Nhật ký: 2 thao tác gần nhất, mới nhất trước." and few[1:] == lines[:2]
    usage = await d.say(team.admin, admin, "/nhatky 500")
    assert usage == ["Cách dùng: /nhatky hoặc /nhatky 50 (từ 1 đến 100 dòng)."]

    config = str(tg_world.folder / "config.yaml")
    # While the bot runs it holds the store: the command says so instead of reading it.
    assert run_audit(start="2026-11-23", config_path=config, environ=bot_environ()) == FAILED
    assert "the bot is running" in capsys.readouterr().err
    await tg_world.bot.stop()
    store = open_store(tg_world.folder / "data")
    try:
        AuditLog(
            store=store, clock=ManualClock(datetime(2026, 11, 19, 16, 59, tzinfo=UTC))
        ).record(
            "people.import", who=cli_who(), where="cli", detail={"created": 3}
        )  # 19/11 23:59 local: the day before the period
    finally:
        store.close()
    code = run_audit(
        start="2026-11-20", end="2026-11-23", config_path=config, environ=bot_environ()
    )
    out = capsys.readouterr().out.splitlines()
    assert code == OK
    assert out[0] == "Audit trail 2026-11-20 – 2026-11-23: 11 entries"
    assert out[1].startswith("2026-11-23 08:00 · Quản trị · giao vai trò: Cán bộ Khu vực")
    assert out[-1].startswith("2026-11-23 08:10 · Cán bộ Lan · xuất báo cáo: Xã Hương Sơn")
    assert not any("nhập danh sách" in line for line in out)

    env = {**bot_environ(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "--from", "2026-11-19", "--to", "2026-11-19",
         "--format", "json", "--config", config],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(r["action"], r["where"], r["at"]) for r in rows] == [
        ("people.import", "cli", "2026-11-19T23:59:00+07:00")
    ]
