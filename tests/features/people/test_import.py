"""`python -m bot people import`: 300 people with invite codes redeemed over the fakes on both
platforms; Zalo people spread over three capped bots; a full bot refused and the admin told;
bad rows reported with nothing written; codes single use and bound to their Zalo bot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.cli.people import run_import
from bot.core.clock import ManualClock
from bot.core.models import Role
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import RunningBot, eventually, write_config
from tests.support.onboard_helpers import (
    USERNAME,
    ZALO_BOTS,
    deployment,
    environ,
    people_csv,
    read_invites,
)
from tests.support.store_choice import embedded_only

ROOT = Path(__file__).resolve().parents[3]


def _import(config: Path, sheet: Path, clock: ManualClock, out: Path | None = None) -> int:
    return run_import(path=sheet, output=out, config_path=str(config), environ=environ(),
                      clock=clock)  # fmt: skip


async def test_three_hundred_people_imported_and_every_code_redeemed(
    tmp_path: Path, clock: ManualClock, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """160 Telegram and 140 Zalo people: 47/47/46 over the Zalo bots; each code binds the
    account that uses it to its person and role, once."""
    admin = fake_telegram.user(1, "Quản trị")
    config = deployment(tmp_path, fake_telegram, fake_zalo, admins=["telegram:1"])
    sheet = people_csv(tmp_path / "people.csv", telegram=160, zalo=140)
    out = tmp_path / "invites.csv"
    assert _import(config, sheet, clock, out) == 0
    rows = read_invites(out)
    assert len(rows) == 300 and all(r["status"] == "new" for r in rows)
    assert len({r["code"] for r in rows}) == 300
    per_bot = Counter(r["zalo_bot"] for r in rows if r["platform"] == "zalo")
    assert sorted(per_bot.values()) == [46, 47, 47] and set(per_bot) == set(ZALO_BOTS)
    tg_rows = [r for r in rows if r["platform"] == "telegram"]
    assert tg_rows[0]["link"] == f"https://t.me/{USERNAME}?start={tg_rows[0]['code']}"
    # A second run of the same file makes nobody twice and prints the same live codes.
    again = tmp_path / "again.csv"
    assert _import(config, sheet, clock, again) == 0
    assert [r["code"] for r in read_invites(again)] == [r["code"] for r in rows]
    assert {r["status"] for r in read_invites(again)} == {"exists"}

    bot = RunningBot(config, environ(), clock)
    app = await bot.start()
    try:
        assert app.store is not None
        first_zalo = next(r for r in rows if r["platform"] == "zalo")
        wrong = next(n for n in ZALO_BOTS if n != first_zalo["zalo_bot"])
        stray = fake_zalo.user("Người lạc", bot=ZALO_BOTS[wrong])
        handled = bot.handled
        await fake_zalo.type_as(stray, None, first_zalo["code"])
        await eventually(lambda: bot.handled > handled)
        assert (
            f"bot Zalo «{first_zalo['zalo_bot']}»"
            in fake_zalo.sent(fake_zalo.private(stray))[-1].text
        )

        chats = []
        handled = bot.handled
        for i, row in enumerate(rows):
            if row["platform"] == "telegram":
                user = fake_telegram.user(200000 + i, row["name"])
                chat = fake_telegram.private(user)
                fake_telegram.type_as(user, chat, f"/start {row['code']}")
                chats.append((row, lambda c=chat: fake_telegram.sent(c)))
            else:
                user = fake_zalo.user(row["name"], bot=ZALO_BOTS[row["zalo_bot"]])
                chat = fake_zalo.private(user)
                await fake_zalo.type_as(user, None, row["code"].lower())  # typed by hand
                chats.append((row, lambda c=chat: fake_zalo.sent(c)))
        await eventually(lambda: bot.handled >= handled + 300, timeout=60, what="300 codes")
        for row, sent in chats:
            await eventually(lambda s=sent: bool(s()), what=f"welcome of {row['name']}")
            assert sent()[-1].text.startswith(f"✅ Chào {row['name']} (mã số {row['person_id']})")
        people = {p.id: p for p in app.store.people.all()}
        for row in rows:
            person = people[int(row["person_id"])]
            assert len(person.accounts) == 1 and person.accounts[0].reachable
            platform = person.accounts[0].key.split(":")[0]
            assert platform == row["platform"] and person.roles[0].role is Role.COLLABORATOR
            if platform == "zalo":
                assert person.accounts[0].key.startswith(f"zalo:{row['zalo_bot']}:")
        assert sum(1 for p in people.values() if p.phone) == 150

        reuse = fake_telegram.user(999, "Kẻ lạ")
        handled = bot.handled
        fake_telegram.type_as(reuse, fake_telegram.private(reuse), f"/start {tg_rows[0]['code']}")
        await eventually(lambda: bot.handled > handled)
        assert "đã được dùng" in fake_telegram.sent(fake_telegram.private(reuse))[-1].text
        assert app.store.people.by_account("telegram:999") is None
        binds = [e for e in app.store.audit.recent(1000) if e.action == "people.bind"]
        assert len(binds) == 300
    finally:
        await bot.stop()
    assert admin.id == 1


@embedded_only("a CLI command refuses while the running bot holds data_dir's lock")
async def test_a_full_zalo_bot_refuses_the_136th_person_and_the_admin_is_told(
    tmp_path: Path,
    clock: ManualClock,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Three bots capped at 45: 135 placed, rows 136–140 refused; the admin hears why."""
    admin = fake_telegram.user(1, "Quản trị")
    config = deployment(tmp_path, fake_telegram, fake_zalo, admins=["telegram:1"], cap=45)
    sheet = people_csv(tmp_path / "people.csv", telegram=0, zalo=140)
    bot = RunningBot(config, environ(), clock)
    await bot.start()
    chat = fake_telegram.private(admin)
    handled = bot.handled
    fake_telegram.type_as(admin, chat, "/batdau")
    await eventually(lambda: bot.handled > handled)
    assert _import(config, sheet, clock) == 3  # the running bot holds the data directory
    await bot.stop()

    out = tmp_path / "invites.csv"
    assert _import(config, sheet, clock, out) == 1
    stderr = capsys.readouterr().err
    rows = read_invites(out)
    refused = [r for r in rows if r["status"] == "refused"]
    assert [int(r["line"]) - 1 for r in refused] == [136, 137, 138, 139, 140]
    assert Counter(r["zalo_bot"] for r in rows if r["status"] == "new") == {
        n: 45 for n in ZALO_BOTS
    }
    assert "line 137: zalo person refused" in stderr
    assert "zalo1 45/45, zalo2 45/45, zalo3 45/45" in stderr

    await bot.start()
    try:
        notice = "5 người dùng Zalo chưa được xếp"
        await eventually(
            lambda: any(notice in m.text for m in fake_telegram.sent(chat)), what="the notice"
        )
        assert "zalo1 45/45" in fake_telegram.sent(chat)[-1].text
    finally:
        await bot.stop()


def test_bad_rows_are_all_reported_and_nothing_is_written(tmp_path: Path) -> None:
    """Every bad row with its line number; exit 2; no data folder is even created."""
    config = write_config(tmp_path, admins=["telegram:1"])
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "name;phone;role;area;platform\n"
        "Chị Hoa;0912345678;ctv;Thôn Sơn Ninh;telegram\n"
        "Anh Tú;;thuthu;Thôn Sơn Ninh;zalo\n"
        ";;ctv;Thôn Không Có;viber\n"
        "Chị Hoa;0912345678;ctv;son ninh;telegram\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "people", "import", str(sheet), "--config", str(config)],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    err = proc.stderr
    assert "line 3: role 'thuthu'" in err
    assert "line 4: no name" in err and "line 4: area 'Thôn Không Có'" in err
    assert "line 4: platform 'viber'" in err
    assert "line 5: the same person as line 2" in err
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "bad-invites.csv").exists()
